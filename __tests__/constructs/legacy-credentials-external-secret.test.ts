import { LegacyCredentialsExternalSecret, LegacyCredentialsExternalSecretProps } from '../../constructs/legacy-credentials-external-secret';
import { vaultSecretLocation } from '../../inventory/vault-location';
import { schemaViolations } from '../helpers/crd-schemas';
import { manifestsIn, synthConstructs } from '../helpers/synth';

function synthLegacy(props: Partial<LegacyCredentialsExternalSecretProps> = {}): Record<string, any> {
  const [manifest] = manifestsIn(
    synthConstructs((scope) => new LegacyCredentialsExternalSecret(scope, 'legacy', { namespace: 'claude-agent', vaultSecret: vaultSecretLocation('primary'), ...props })),
  );
  return manifest;
}

describe('LegacyCredentialsExternalSecret', () => {
  test('by default Secret claude-credentials, key .credentials.json, from field claude_credentials_json of the primary secret', () => {
    const manifest = synthLegacy();
    expect(schemaViolations(manifest)).toEqual([]);
    expect(manifest.metadata).toMatchObject({ name: 'claude-credentials', namespace: 'claude-agent' });
    expect(manifest.spec).toEqual({
      refreshInterval: '1h',
      secretStoreRef: { name: 'vault-kv', kind: 'ClusterSecretStore' },
      target: { name: 'claude-credentials', creationPolicy: 'Owner', deletionPolicy: 'Retain' },
      data: [{ secretKey: '.credentials.json', remoteRef: { key: 'claude-agent-service', property: 'claude_credentials_json' } }],
    });
  });

  test('name and field are settings', () => {
    const manifest = synthLegacy({ name: 'old-login', vaultProperty: 'credentials_json' });
    expect(manifest.spec.target.name).toBe('old-login');
    expect(manifest.spec.data[0].remoteRef).toEqual({ key: 'claude-agent-service', property: 'credentials_json' });
  });

  test('optionally reads the file from Infisical and decodes its base64 with a template', () => {
    const manifest = synthLegacy({ infisical: { store: { name: 'infisical', kind: 'ClusterSecretStore' } } });
    expect(schemaViolations(manifest)).toEqual([]);
    expect(manifest.spec.secretStoreRef).toEqual({ name: 'infisical', kind: 'ClusterSecretStore' });
    expect(manifest.spec.data).toEqual([{ secretKey: 'credentials_json_b64', remoteRef: { key: '/agentic-platform/claude/CREDENTIALS_JSON_B64' } }]);
    expect(manifest.spec.target.template).toEqual({ engineVersion: 'v2', mergePolicy: 'Replace', data: { '.credentials.json': '{{ .credentials_json_b64 | b64dec }}' } });
  });
});
