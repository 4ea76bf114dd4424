import { VaultAccessStack, VaultAccessStackProps } from '../../stacks/vault-access/vault-access-stack';
import { AppCopy } from '../../devkit/app-copy';
import { schemaViolations } from '../helpers/crd-schemas';
import { EXAMPLE_MINT_EPOCHS, testInventory } from '../helpers/inventory';
import { manifestsIn, resourcesOfType, synthConstructs, synthStack, testApp } from '../helpers/synth';
import { VaultReadPolicy } from '../../constructs/vault-read-policy';

function synthVault(props: Partial<VaultAccessStackProps> = {}) {
  return synthStack(new VaultAccessStack(testApp(), 'vault-access', { inventory: testInventory(), ...props }));
}

describe('VaultAccessStack', () => {
  test('ESO may read exactly the KV v2 data paths of the tokens in the map, and look up its own token (store validation), nothing else', () => {
    const json = synthVault();
    const [policy] = resourcesOfType(json, 'vault_policy');
    expect(policy.name).toBe('claude-agent-service-eso-read');
    const grants = [...policy.policy.matchAll(/path "([^"]+)" \{\n {2}capabilities = \["read"\]\n\}/g)].map((match: RegExpMatchArray) => match[1]);
    expect(grants).toEqual([
      'auth/token/lookup-self',
      'secret/data/claude-agent-service',
      'secret/data/claude-agent-service-spare-1',
      'secret/data/claude-agent-service-spare-2',
    ]);
    expect(policy.policy.match(/capabilities/g)).toHaveLength(4); // no other grant hides in there
    expect(policy.policy).not.toMatch(/[*+]|metadata|list|update|create|delete/);

    const [role] = resourcesOfType(json, 'vault_kubernetes_auth_backend_role');
    expect(role).toEqual({
      backend: 'kubernetes',
      role_name: 'claude-agent-service-eso',
      bound_service_account_names: ['external-secrets'],
      bound_service_account_namespaces: ['external-secrets'],
      token_policies: ['claude-agent-service-eso-read'],
      token_no_default_policy: true,
      token_ttl: 3600,
      token_max_ttl: 3600,
      audience: 'vault',
    });
    expect(manifestsIn(json)).toEqual([]);
  });

  test('adding a spare to the map extends the policy by that path', () => {
    const json = synthVault({ inventory: testInventory({ ...EXAMPLE_MINT_EPOCHS, 'spare-3': EXAMPLE_MINT_EPOCHS.primary }) });
    expect(resourcesOfType(json, 'vault_policy')[0].policy).toContain('path "secret/data/claude-agent-service-spare-3"');
  });

  test('optionally a ClusterSecretStore of its own: schema-valid, agents namespace only, audience-bound Kubernetes auth with the ESO role', () => {
    const json = synthVault({ clusterSecretStore: { server: 'https://vault.vault:8200', namespaces: ['claude-agent'] } });
    const [store] = manifestsIn(json);
    expect(schemaViolations(store)).toEqual([]);
    expect(store.kind).toBe('ClusterSecretStore');
    expect(store.metadata.name).toBe('claude-oauth-tokens-vault');
    expect(store.spec.conditions).toEqual([{ namespaces: ['claude-agent'] }]);
    expect(store.spec.provider.vault).toEqual({
      server: 'https://vault.vault:8200',
      path: 'secret',
      version: 'v2',
      auth: {
        kubernetes: {
          mountPath: 'kubernetes',
          role: 'claude-agent-service-eso',
          serviceAccountRef: { name: 'external-secrets', namespace: 'external-secrets', audiences: ['vault'] },
        },
      },
    });
    expect(() => synthVault({ clusterSecretStore: { server: 'vault:8200', namespaces: ['claude-agent'] } })).toThrow(/server 'vault:8200' is not an http\(s\) URL/);
    expect(() => synthVault({ clusterSecretStore: { server: 'https://vault:8200', namespaces: [] } })).toThrow(/no namespaces given/);
  });

  test('with a store of its own, the token ExternalSecrets read through it; shared-mode entries keep the team store', () => {
    const app = new AppCopy();
    try {
      const context = {
        clusterSecretStoreServer: 'https://vault.vault:8200',
        tokenDelivery: 'shared',
        sharedSecretEntries: [{ secretKey: 'GITHUB_TOKEN', key: 'viktor', property: 'github_pat' }],
        tokenProbe: true,
      };
      expect(app.synth({ CDKTF_CONTEXT_JSON: JSON.stringify(context) }).status).toBe(0);
      expect(manifestsIn(app.stackJson('claude-agent-service')).flatMap(schemaViolations)).toEqual([]);
      const externalSecrets = Object.fromEntries(manifestsIn(app.stackJson('claude-agent-service')).map((manifest) => [manifest.metadata.name, manifest.spec]));
      for (const name of ['claude-agent-secrets', 'claude-credentials', 'claude-oauth-token-probe-tokens']) {
        expect({ name, store: externalSecrets[name].secretStoreRef }).toEqual({ name, store: { name: 'claude-oauth-tokens-vault', kind: 'ClusterSecretStore' } });
      }
      const [token, ...others] = externalSecrets['claude-agent-secrets'].data;
      expect(token.sourceRef).toBeUndefined();
      for (const entry of others) expect(entry.sourceRef).toEqual({ storeRef: { name: 'vault-kv', kind: 'ClusterSecretStore' } });
      expect(manifestsIn(app.stackJson('vault-access'))[0].metadata.name).toBe('claude-oauth-tokens-vault');
    } finally {
      app.remove();
    }
  });

  test('drift detection lets only the monitor ServiceAccount read only the metadata paths', () => {
    const json = synthVault({ driftDetection: { monitorServiceAccount: { name: 'claude-oauth-expiry-monitor', namespace: 'claude-agent' } } });
    const policies = resourcesOfType(json, 'vault_policy');
    const monitorPolicy = policies.find((policy) => policy.name === 'claude-oauth-expiry-monitor-metadata')!;
    expect([...monitorPolicy.policy.matchAll(/path "([^"]+)"/g)].map((match: RegExpMatchArray) => match[1])).toEqual([
      'secret/metadata/claude-agent-service',
      'secret/metadata/claude-agent-service-spare-1',
      'secret/metadata/claude-agent-service-spare-2',
    ]);
    expect(monitorPolicy.policy).not.toContain('/data/');
    const monitorRole = resourcesOfType(json, 'vault_kubernetes_auth_backend_role').find((role) => role.role_name === 'claude-oauth-expiry-monitor')!;
    expect(monitorRole).toMatchObject({
      bound_service_account_names: ['claude-oauth-expiry-monitor'],
      bound_service_account_namespaces: ['claude-agent'],
      token_policies: ['claude-oauth-expiry-monitor-metadata'],
      audience: 'vault',
    });
  });

  test('no token value can reach Terraform state: no Vault secret resource or data source in any stack', () => {
    const app = new AppCopy();
    try {
      expect(app.synth({ CDKTF_CONTEXT_JSON: JSON.stringify({ tokenProbe: true, clusterSecretStoreServer: 'https://vault.vault:8200' }) }).status).toBe(0);
      for (const stack of ['claude-agent-service', 'monitoring', 'vault-access']) {
        const json = app.stackJson(stack);
        const types = [...Object.keys(json.resource ?? {}), ...Object.keys(json.data ?? {}).map((type) => `data.${type}`)];
        // The one Vault data source allowed reads an auth mount's configuration (the prerequisite check), no secret.
        expect({ stack, secretReaders: types.filter((type) => /vault_(kv_secret|generic_secret|generic_endpoint)|^data\.vault_(?!auth_backend$)/.test(type)) }).toEqual({
          stack,
          secretReaders: [],
        });
        expect({ stack, outputs: json.output ?? {} }).toEqual({ stack, outputs: {} });
      }
    } finally {
      app.remove();
    }
  });

  test('a policy path that is a glob or a prefix is refused', () => {
    expect(() => synthConstructs((scope) => new VaultReadPolicy(scope, 'p', { name: 'x', purpose: 'test', paths: ['secret/data/*'] }))).toThrow(
      /path 'secret\/data\/\*' is a glob or prefix; list exact paths/,
    );
  });
});
