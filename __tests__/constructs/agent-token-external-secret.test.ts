import { AgentTokenExternalSecret, AgentTokenExternalSecretProps } from '../../constructs/agent-token-external-secret';
import { Duration } from '../../inventory/duration';
import { vaultSecretLocation } from '../../inventory/vault-location';
/** Some other keys of the agents' Secret, as a team lists them in sharedSecretEntries. */
const AGENT_SECRET_ENTRIES = [
  { secretKey: 'GITHUB_TOKEN', key: 'viktor', property: 'github_pat' },
  { secretKey: 'API_BEARER_TOKEN', key: 'claude-agent-service', property: 'api_bearer_token' },
];
import { schemaViolations } from '../helpers/crd-schemas';
import { manifestsIn, synthConstructs } from '../helpers/synth';

const PRIMARY = vaultSecretLocation('primary');

function synthTokenSecret(props: Partial<AgentTokenExternalSecretProps> = {}): Record<string, any> {
  const [manifest] = manifestsIn(synthConstructs((scope) => new AgentTokenExternalSecret(scope, 'secret', { namespace: 'claude-agent', token: PRIMARY, ...props })));
  return manifest;
}

describe('AgentTokenExternalSecret', () => {
  test('by default a Secret of its own holding the token alone, read through ClusterSecretStore vault-kv', () => {
    const manifest = synthTokenSecret();
    expect(schemaViolations(manifest)).toEqual([]);
    expect(manifest.apiVersion).toBe('external-secrets.io/v1');
    expect(manifest.metadata).toMatchObject({ name: 'claude-oauth-token', namespace: 'claude-agent' });
    expect(manifest.metadata.labels['app.kubernetes.io/part-of']).toBe('claude-oauth-tokens');
    expect(manifest.spec).toEqual({
      refreshInterval: '1h',
      secretStoreRef: { name: 'vault-kv', kind: 'ClusterSecretStore' },
      target: { name: 'claude-oauth-token', creationPolicy: 'Owner', deletionPolicy: 'Retain' },
      data: [{ secretKey: 'CLAUDE_CODE_OAUTH_TOKEN', remoteRef: { key: 'claude-agent-service', property: 'claude_oauth_token' } }],
    });
  });

  test("owning the agents' shared Secret whole: the token and every declared entry, nothing else", () => {
    const manifest = synthTokenSecret({ name: 'claude-agent-secrets', otherEntries: AGENT_SECRET_ENTRIES });
    expect(schemaViolations(manifest)).toEqual([]);
    expect(manifest.spec.target.name).toBe('claude-agent-secrets');
    expect(manifest.spec.data).toEqual([
      { secretKey: 'CLAUDE_CODE_OAUTH_TOKEN', remoteRef: { key: 'claude-agent-service', property: 'claude_oauth_token' } },
      ...AGENT_SECRET_ENTRIES.map(({ secretKey, key, property }) => ({ secretKey, remoteRef: { key, property } })),
    ]);
    expect(manifest.spec.data).toHaveLength(1 + AGENT_SECRET_ENTRIES.length);
  });

  test('store, refresh interval, names and Vault location are configurable', () => {
    const manifest = synthTokenSecret({
      name: 'reviewer-bot-token',
      secretStore: { name: 'vault', kind: 'SecretStore' },
      refreshInterval: Duration.minutes(15),
      token: vaultSecretLocation('spare-1', { baseName: 'reviewer-bot', field: 'token' }),
    });
    expect(schemaViolations(manifest)).toEqual([]);
    expect(manifest.spec).toMatchObject({
      refreshInterval: '15m',
      secretStoreRef: { name: 'vault', kind: 'SecretStore' },
      target: { name: 'reviewer-bot-token' },
      data: [{ secretKey: 'CLAUDE_CODE_OAUTH_TOKEN', remoteRef: { key: 'reviewer-bot-spare-1', property: 'token' } }],
    });
  });

  test('rejects a refresh interval that would hammer Vault, a bad key, and an entry that reuses the token key', () => {
    expect(() => synthTokenSecret({ refreshInterval: Duration.seconds(30) })).toThrow(
      "AgentTokenExternalSecret 'claude-oauth-token': refreshInterval 30s would have ESO hammer Vault; use at least Duration.minutes(1).",
    );
    expect(() => synthTokenSecret({ tokenSecretKey: 'CLAUDE CODE' })).toThrow(/secret key 'CLAUDE CODE' is not a valid Secret key/);
    expect(() => synthTokenSecret({ otherEntries: [{ secretKey: 'CLAUDE_CODE_OAUTH_TOKEN', key: 'x', property: 'y' }] })).toThrow(
      "AgentTokenExternalSecret 'claude-oauth-token': secret key 'CLAUDE_CODE_OAUTH_TOKEN' is used twice; give each entry its own key.",
    );
  });
});
