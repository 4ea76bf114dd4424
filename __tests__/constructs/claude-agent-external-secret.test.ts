import { ClaudeAgentExternalSecret, ClaudeAgentExternalSecretProps } from '../../constructs/claude-agent-external-secret';
import { Duration } from '../../constructs/duration';
import { vaultSecretLocation } from '../../inventory/vault-location';
import { schemaViolations } from '../helpers/crd-schemas';
import { manifestsIn, synthConstructs } from '../helpers/synth';

const PRIMARY = vaultSecretLocation('primary');

function synthExternalSecret(props: Partial<ClaudeAgentExternalSecretProps> = {}): Record<string, any> {
  const [manifest] = manifestsIn(
    synthConstructs((scope) => new ClaudeAgentExternalSecret(scope, 'secret', { namespace: 'claude-agent', token: PRIMARY, ...props })),
  );
  return manifest;
}

describe('ClaudeAgentExternalSecret', () => {
  test('by default delivers the token and the legacy credentials file from the primary Vault secret', () => {
    const manifest = synthExternalSecret();
    expect(schemaViolations(manifest)).toEqual([]);
    expect(manifest.apiVersion).toBe('external-secrets.io/v1');
    expect(manifest.metadata).toMatchObject({ name: 'claude-agent-secrets', namespace: 'claude-agent' });
    expect(manifest.metadata.labels['app.kubernetes.io/part-of']).toBe('claude-oauth-tokens');
    expect(manifest.spec).toEqual({
      refreshInterval: '1h',
      secretStoreRef: { name: 'vault-backend', kind: 'ClusterSecretStore' },
      target: { name: 'claude-agent-secrets', creationPolicy: 'Owner', deletionPolicy: 'Retain' },
      data: [
        { secretKey: 'CLAUDE_CODE_OAUTH_TOKEN', remoteRef: { key: 'claude-agent-service', property: 'claude_oauth_token' } },
        { secretKey: '.credentials.json', remoteRef: { key: 'claude-agent-service', property: 'credentials_json' } },
      ],
    });
  });

  test('one prop drops the legacy credentials file', () => {
    const manifest = synthExternalSecret({ legacyCredentials: false });
    expect(schemaViolations(manifest)).toEqual([]);
    expect(manifest.spec.data.map((entry: any) => entry.secretKey)).toEqual(['CLAUDE_CODE_OAUTH_TOKEN']);
  });

  test('store, refresh interval, names and Vault location are configurable', () => {
    const manifest = synthExternalSecret({
      name: 'reviewer-bot-secrets',
      secretStore: { name: 'vault', kind: 'SecretStore' },
      refreshInterval: Duration.minutes(15),
      token: vaultSecretLocation('spare-1', { baseName: 'reviewer-bot', field: 'token' }),
      legacyCredentials: { secretKey: 'credentials.json', vaultProperty: 'legacy_login' },
    });
    expect(schemaViolations(manifest)).toEqual([]);
    expect(manifest.metadata.name).toBe('reviewer-bot-secrets');
    expect(manifest.spec.target.name).toBe('reviewer-bot-secrets');
    expect(manifest.spec.refreshInterval).toBe('15m');
    expect(manifest.spec.secretStoreRef).toEqual({ name: 'vault', kind: 'SecretStore' });
    expect(manifest.spec.data).toEqual([
      { secretKey: 'CLAUDE_CODE_OAUTH_TOKEN', remoteRef: { key: 'reviewer-bot-spare-1', property: 'token' } },
      { secretKey: 'credentials.json', remoteRef: { key: 'reviewer-bot-spare-1', property: 'legacy_login' } },
    ]);
  });

  test('rejects a refresh interval that would hammer Vault, naming the fix', () => {
    expect(() => synthExternalSecret({ refreshInterval: Duration.seconds(30) })).toThrow(
      "ClaudeAgentExternalSecret 'claude-agent-secrets': refreshInterval 30s would have ESO hammer Vault; use at least Duration.minutes(1).",
    );
  });

  test('rejects secret keys that cannot be a Secret key, and two uses of one key', () => {
    expect(() => synthExternalSecret({ tokenSecretKey: 'CLAUDE CODE' })).toThrow(/secret key 'CLAUDE CODE' is not a valid Secret key/);
    expect(() => synthExternalSecret({ legacyCredentials: { secretKey: 'CLAUDE_CODE_OAUTH_TOKEN' } })).toThrow(
      "ClaudeAgentExternalSecret 'claude-agent-secrets': secret key 'CLAUDE_CODE_OAUTH_TOKEN' is used twice; give each entry its own key.",
    );
  });

  test('optionally reads the legacy file from Infisical and decodes its base64 with a template', () => {
    const manifest = synthExternalSecret({ legacyCredentials: { infisical: { store: { name: 'infisical', kind: 'ClusterSecretStore' } } } });
    expect(schemaViolations(manifest)).toEqual([]);
    expect(manifest.spec.secretStoreRef).toEqual({ name: 'vault-backend', kind: 'ClusterSecretStore' });
    expect(manifest.spec.data).toEqual([
      { secretKey: 'CLAUDE_CODE_OAUTH_TOKEN', remoteRef: { key: 'claude-agent-service', property: 'claude_oauth_token' } },
      {
        secretKey: 'credentials_json_b64',
        remoteRef: { key: '/agentic-platform/claude/CREDENTIALS_JSON_B64' },
        sourceRef: { storeRef: { name: 'infisical', kind: 'ClusterSecretStore' } },
      },
    ]);
    expect(manifest.spec.target.template).toEqual({
      engineVersion: 'v2',
      mergePolicy: 'Replace',
      data: { CLAUDE_CODE_OAUTH_TOKEN: '{{ .CLAUDE_CODE_OAUTH_TOKEN }}', '.credentials.json': '{{ .credentials_json_b64 | b64dec }}' },
    });
  });
});
