import { AppCopy } from '../devkit/app-copy';
import { schemaViolations } from './helpers/crd-schemas';
import { manifestsIn, resourcesOfType } from './helpers/synth';

/** A team's own Vault layout, set once in cdktf.json: synth, `tokens` and the printed commands all use it. */
describe('the vault setting', () => {
  let app: AppCopy;
  const vault = { mount: 'kv', baseName: 'platform/claude-agents', field: 'token', esoServiceAccount: { namespace: 'eso', name: 'eso-controller' } };
  const context = JSON.stringify({ vault, legacyCredentialsFile: false, driftDetection: { vaultServer: 'https://vault.vault.svc:8200' } });
  beforeAll(() => {
    app = new AppCopy();
  });
  afterAll(() => app.remove());

  test('synth reads the tokens there, grants exactly those paths, and admits that ServiceAccount', () => {
    const run = app.synth({ CDKTF_CONTEXT_JSON: context });
    expect(run.stderr).not.toMatch(/problem|wrong/);
    expect(run.status).toBe(0);
    const [tokenSecret] = manifestsIn(app.stackJson('claude-agent-service'));
    expect(tokenSecret.spec.data).toEqual([{ secretKey: 'CLAUDE_CODE_OAUTH_TOKEN', remoteRef: { key: 'platform/claude-agents', property: 'token' } }]);
    expect(schemaViolations(tokenSecret)).toEqual([]);
    const access = app.stackJson('vault-access');
    const policies = resourcesOfType(access, 'vault_policy').map((policy) => policy.policy as string).join('\n');
    for (const name of ['platform/claude-agents', 'platform/claude-agents-spare-1', 'platform/claude-agents-spare-2']) expect(policies).toContain(`path "kv/data/${name}"`);
    expect(policies).not.toContain('secret/');
    const esoRole = resourcesOfType(access, 'vault_kubernetes_auth_backend_role').find((role) => role.role_name === 'claude-agent-service-eso')!;
    expect({ names: esoRole.bound_service_account_names, namespaces: esoRole.bound_service_account_namespaces }).toEqual({ names: ['eso-controller'], namespaces: ['eso'] });
    // The monitor's drift check reads the same secrets' metadata.
    expect(JSON.stringify(app.stackJson('claude-agent-service'))).toMatch(/"name":"VAULT_KV_MOUNT","value":"kv"[\s\S]*"name":"VAULT_BASE_NAME","value":"platform\/claude-agents"/);
  });

  test('tokens status and the printed rotation commands name the same place', async () => {
    const status = await app.tokens(['status', '--json'], { CDKTF_CONTEXT_JSON: context });
    expect(status.status).toBe(0);
    expect(JSON.parse(status.stdout).map((token: { vault_path: string }) => token.vault_path)).toEqual(['kv/platform/claude-agents', 'kv/platform/claude-agents-spare-1', 'kv/platform/claude-agents-spare-2']);
    const rotate = await app.tokens(['rotate', 'spare-1', '--record-only', '--minted-at', '2026-11-20T09:30:00Z'], { CDKTF_CONTEXT_JSON: context });
    expect(rotate.status).toBe(0);
    expect(rotate.stdout).toContain('vault kv patch kv/platform/claude-agents-spare-1 token=-');
  });

  test.each([
    [{ mount: '../sys' }, /context\.vault\.mount is "\.\.\/sys": write the path of the KV version 2 mount/],
    [{ baseName: '/claude' }, /context\.vault\.baseName is "\/claude"/],
    [{ field: 'a b' }, /context\.vault\.field is "a b": write the field/],
    [{ esoServiceAccount: { namespace: 'Bad NS', name: 'eso' } }, /context\.vault\.esoServiceAccount\.namespace is "Bad NS"/],
    [{ secretEngine: 'kv' }, /context\.vault\.secretEngine is not a setting here; the keys are mount, baseName, field, esoServiceAccount/],
  ])('%j is refused, naming the key and the fix', (bad, message) => {
    const run = app.synth({ CDKTF_CONTEXT_JSON: JSON.stringify({ vault: bad }) });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(message);
  });
});
