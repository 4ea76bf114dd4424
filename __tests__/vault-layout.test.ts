import { AppCopy } from '../devkit/app-copy';
import { readAppSettings, SettingsError } from '../settings/app-settings';
import { schemaViolations } from './helpers/crd-schemas';
import { manifestsIn, resourcesOfType } from './helpers/synth';

/**
 * A team's own Vault layout, set once in cdktf.json: synth (ExternalSecrets, the store of its own,
 * policies, roles, the monitor's drift check), `tokens` and the printed commands all use it.
 */
describe('the vault setting', () => {
  let app: AppCopy;
  const vault = {
    mount: 'kv',
    baseName: 'platform/claude-agents',
    spareSeparator: '/',
    field: 'token',
    authMount: 'clusters/prod',
    audience: 'https://vault.example.com',
    esoServiceAccount: { namespace: 'eso', name: 'eso-controller' },
  };
  const secretNames = ['platform/claude-agents', 'platform/claude-agents/spare-1', 'platform/claude-agents/spare-2'];
  const context = JSON.stringify({
    vault,
    legacyCredentialsFile: false,
    driftDetection: { vaultServer: 'https://vault.vault.svc:8200' },
    clusterSecretStoreServer: 'https://vault.vault.svc:8200',
  });
  beforeAll(() => {
    app = new AppCopy();
  });
  afterAll(() => app.remove());

  test('synth reads the tokens there, grants exactly those paths, logs in at that mount with that audience, and admits that ServiceAccount', () => {
    const run = app.synth({ CDKTF_CONTEXT_JSON: context });
    expect(run.stderr).not.toMatch(/problem|wrong/);
    expect(run.status).toBe(0);
    const agents = app.stackJson('claude-agent-service');
    const [tokenSecret] = manifestsIn(agents);
    expect(tokenSecret.spec.data).toEqual([{ secretKey: 'CLAUDE_CODE_OAUTH_TOKEN', remoteRef: { key: 'platform/claude-agents', property: 'token' } }]);
    expect(schemaViolations(tokenSecret)).toEqual([]);

    const access = app.stackJson('vault-access');
    const policies = resourcesOfType(access, 'vault_policy').map((policy) => policy.policy as string).join('\n');
    for (const name of secretNames) expect(policies).toContain(`path "kv/data/${name}"`);
    for (const name of secretNames) expect(policies).toContain(`path "kv/metadata/${name}"`);
    expect(policies).not.toContain('secret/');
    const roles = resourcesOfType(access, 'vault_kubernetes_auth_backend_role');
    expect(roles.map((role) => ({ name: role.role_name, backend: role.backend, audience: role.audience })).sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: 'claude-agent-service-eso', backend: 'clusters/prod', audience: 'https://vault.example.com' },
      { name: 'claude-oauth-expiry-monitor', backend: 'clusters/prod', audience: 'https://vault.example.com' },
    ]);
    const esoRole = roles.find((role) => role.role_name === 'claude-agent-service-eso')!;
    expect({ names: esoRole.bound_service_account_names, namespaces: esoRole.bound_service_account_namespaces }).toEqual({ names: ['eso-controller'], namespaces: ['eso'] });
    expect(Object.values(access.data?.vault_auth_backend ?? {}).map((mount) => (mount as { path: string }).path)).toEqual(['clusters/prod']);

    const [store] = manifestsIn(access);
    expect(store.spec.provider.vault).toMatchObject({ path: 'kv', auth: { kubernetes: { mountPath: 'clusters/prod', serviceAccountRef: { name: 'eso-controller', namespace: 'eso', audiences: ['https://vault.example.com'] } } } });
    expect(schemaViolations(store)).toEqual([]);

    // The monitor's drift check reads the same secrets' metadata, logged in the same way.
    const text = JSON.stringify(agents);
    for (const [name, value] of Object.entries({ VAULT_KV_MOUNT: 'kv', VAULT_BASE_NAME: 'platform/claude-agents', VAULT_SPARE_SEPARATOR: '/', VAULT_AUTH_MOUNT: 'clusters/prod' })) {
      expect(text).toContain(`"name":"${name}","value":"${value}"`);
    }
    expect(text).toMatch(/"service_account_token":\{"audience":"https:\/\/vault\.example\.com"/);
  });

  test('tokens status and the printed rotation commands name the same places', async () => {
    const status = await app.tokens(['status', '--json'], { CDKTF_CONTEXT_JSON: context });
    expect(status.status).toBe(0);
    expect(JSON.parse(status.stdout).map((token: { vault_path: string }) => token.vault_path)).toEqual(secretNames.map((name) => `kv/${name}`));
    const rotate = await app.tokens(['rotate', 'spare-1', '--record-only', '--minted-at', '2026-11-20T09:30:00Z'], { CDKTF_CONTEXT_JSON: context });
    expect(rotate.status).toBe(0);
    expect(rotate.stdout).toContain('vault kv patch kv/platform/claude-agents/spare-1 token=-');
  });

  const problemsOf = (value: unknown): string[] => {
    try {
      readAppSettings({ name: 'cdktf.json', text: JSON.stringify({ context: value }) });
    } catch (error) {
      if (error instanceof SettingsError) return [...error.problems];
      throw error;
    }
    return [];
  };

  test.each([
    [{ mount: '../sys' }, /context\.vault\.mount is "\.\.\/sys": write the path of the KV version 2 mount/],
    [{ baseName: '/claude' }, /context\.vault\.baseName is "\/claude"/],
    [{ spareSeparator: '+' }, /context\.vault\.spareSeparator is "\+": write what joins the base name and a spare's path, one of "-", "_", "\.", "\/"/],
    [{ field: 'a b' }, /context\.vault\.field is "a b": write the field/],
    [{ authMount: '/auth/kubernetes/' }, /context\.vault\.authMount is "\/auth\/kubernetes\/": write the path of Vault's Kubernetes auth mount/],
    [{ audience: 'me@vault' }, /context\.vault\.audience is "me@vault": write the audience/],
    [{ esoServiceAccount: { namespace: 'Bad NS', name: 'eso' } }, /context\.vault\.esoServiceAccount\.namespace is "Bad NS"/],
    [{ secretEngine: 'kv' }, /context\.vault\.secretEngine is not a setting here; the keys are mount, baseName, spareSeparator, field, authMount, audience, esoServiceAccount/],
  ])('%j is refused, naming the key, the fix and the docs section', (bad, message) => {
    expect(problemsOf({ vault: bad })).toEqual([expect.stringMatching(message)]);
    expect(problemsOf({ vault: bad })[0]).toMatch(/ \(docs\/fitting-the-cluster\.md, Your Vault layout\)$/);
  });

  test('the old vaultAuthMount key is refused with where it moved, its value carried over', () => {
    expect(problemsOf({ vaultAuthMount: 'clusters/prod' })).toEqual([
      'cdktf.json context.vaultAuthMount moved into the vault setting: write "vault": {"authMount": "clusters/prod"} instead (docs/fitting-the-cluster.md, Your Vault layout).',
    ]);
  });

  test.each(['-', '_', '.', '/'])('spareSeparator %s is taken as written', (separator) => {
    expect(readAppSettings({ name: 'cdktf.json', text: JSON.stringify({ context: { vault: { spareSeparator: separator } } }) }).vault.spareSeparator).toBe(separator);
  });

  test('left out, each key keeps the layout this project was made for', () => {
    expect(readAppSettings({ name: 'cdktf.json', text: '{"context": {"vault": {"mount": "kv"}}}' }).vault).toEqual({
      mount: 'kv',
      baseName: 'claude-agent-service',
      spareSeparator: '-',
      field: 'claude_oauth_token',
      authMount: 'kubernetes',
      audience: 'vault',
      esoServiceAccount: { namespace: 'external-secrets', name: 'external-secrets' },
    });
  });
});
