import { ClaudeAgentServiceStack } from '../../stacks/claude-agent-service/claude-agent-service-stack';
import { buildTokenInventory } from '../../inventory/token-inventory';
import { EXAMPLE_MINT_EPOCHS, TEST_NOW, testInventory } from '../helpers/inventory';
import { schemaViolations } from '../helpers/crd-schemas';
import { manifestsIn, resourcesOfType, synthStack, testApp } from '../helpers/synth';
import { Pushgateway } from '../../constructs/pushgateway';
import { testScripts } from '../helpers/scripts';

describe('ClaudeAgentServiceStack', () => {
  test('puts the ExternalSecret, the expiry ConfigMap and its monitor in the agents namespace, every manifest schema-valid', () => {
    const json = synthStack(new ClaudeAgentServiceStack(testApp(), 'claude-agent-service', { inventory: testInventory(), scripts: testScripts() }));
    expect(Object.keys(json.resource ?? {}).sort()).toEqual([
      'kubernetes_config_map_v1',
      'kubernetes_cron_job_v1',
      'kubernetes_job_v1',
      'kubernetes_manifest',
      'kubernetes_service_account_v1',
    ]);
    for (const type of ['kubernetes_config_map_v1', 'kubernetes_cron_job_v1', 'kubernetes_job_v1', 'kubernetes_service_account_v1']) {
      expect(resourcesOfType(json, type).map((resource) => resource.metadata.namespace)).toEqual(
        resourcesOfType(json, type).map(() => 'claude-agent'),
      );
    }
    const manifests = manifestsIn(json);
    expect(manifests.map((manifest) => `${manifest.kind}/${manifest.metadata.namespace}/${manifest.metadata.name}`)).toEqual([
      'ExternalSecret/claude-agent/claude-credentials',
      'ExternalSecret/claude-agent/claude-oauth-token',
    ]);
    expect(manifests.flatMap(schemaViolations)).toEqual([]);
    expect(json.provider).toEqual({ kubernetes: [{}] });
  });

  test('createNamespace creates it and makes everything in it depend on it', () => {
    const json = synthStack(
      new ClaudeAgentServiceStack(testApp(), 'claude-agent-service', { inventory: testInventory(), scripts: testScripts(), namespace: 'agents', createNamespace: true }),
    );
    const [namespace] = resourcesOfType(json, 'kubernetes_namespace_v1');
    expect(namespace.metadata.name).toBe('agents');
    expect(namespace.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    const reference = expect.stringMatching(/^\$\{kubernetes_namespace_v1\.[\w-]+\.metadata\[0\]\.name\}$/);
    expect(manifestsIn(json)[0].metadata.namespace).toEqual(reference);
    for (const type of ['kubernetes_config_map_v1', 'kubernetes_cron_job_v1', 'kubernetes_job_v1', 'kubernetes_service_account_v1']) {
      for (const resource of resourcesOfType(json, type)) expect(resource.metadata.namespace).toEqual(reference);
    }
  });

  test('the cluster connection is configurable and otherwise left to the provider', () => {
    const json = synthStack(
      new ClaudeAgentServiceStack(testApp(), 'claude-agent-service', {
        inventory: testInventory(),
        scripts: testScripts(),
        cluster: { kubeconfigPath: '~/.kube/prod', kubeContext: 'prod' },
      }),
    );
    expect(json.provider).toEqual({ kubernetes: [{ config_path: '~/.kube/prod', config_context: 'prod' }] });
  });

  test('networkPolicies confine the monitor and the probe to DNS and their own destinations; off by default', () => {
    const withPolicies = (networkPolicies: boolean) =>
      synthStack(
        new ClaudeAgentServiceStack(testApp(), 'claude-agent-service', {
          inventory: testInventory(),
          scripts: testScripts(),
          networkPolicies,
          monitor: { pushgateway: Pushgateway.fromUrl('http://pushgateway.observability:9091') },
          tokenProbe: { pushgateway: Pushgateway.fromUrl('http://pushgateway.observability:9091') },
        }),
      );
    expect(resourcesOfType(withPolicies(false), 'kubernetes_network_policy_v1')).toEqual([]);
    const json = withPolicies(true);
    const policies = Object.fromEntries(resourcesOfType(json, 'kubernetes_network_policy_v1').map((policy) => [policy.metadata.name, policy.spec]));
    const podLabels = (name: string) => resourcesOfType(json, 'kubernetes_cron_job_v1').find((cronJob) => cronJob.metadata.name === name)!.spec.job_template.spec.template.metadata.labels;
    const dns = { to: [{ namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'kube-system' } } }], ports: [{ protocol: 'UDP', port: '53' }, { protocol: 'TCP', port: '53' }] };
    const gateway = { to: [{ namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'observability' } } }], ports: [{ protocol: 'TCP', port: '9091' }] };
    expect(policies['claude-oauth-expiry-monitor-egress']).toEqual({
      pod_selector: { match_labels: podLabels('claude-oauth-expiry-monitor') },
      policy_types: ['Egress'],
      egress: [dns, gateway],
    });
    expect(policies['claude-oauth-token-probe-egress']).toEqual({
      pod_selector: { match_labels: podLabels('claude-oauth-token-probe') },
      policy_types: ['Egress'],
      egress: [
        dns,
        { to: [{ ip_block: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', '100.64.0.0/10'] } }], ports: [{ protocol: 'TCP', port: '443' }] },
        gateway,
      ],
    });
  });

  test("drift detection reads Vault where the inventory says the tokens are, and the ExternalSecret reads the same secret", () => {
    const inventory = buildTokenInventory(EXAMPLE_MINT_EPOCHS, { now: TEST_NOW, vault: { mount: 'kv', baseName: 'reviewer-bot' } });
    const json = synthStack(
      new ClaudeAgentServiceStack(testApp(), 'claude-agent-service', { inventory, scripts: testScripts(), monitor: { driftDetection: { vaultAddress: 'https://vault.vault:8200' } } }),
    );
    const [cronJob] = resourcesOfType(json, 'kubernetes_cron_job_v1');
    const env = Object.fromEntries(cronJob.spec.job_template.spec.template.spec.container[0].env.map((v: any) => [v.name, v.value]));
    expect(env).toMatchObject({ VAULT_KV_MOUNT: 'kv', VAULT_BASE_NAME: 'reviewer-bot' });
    const tokenSecret = manifestsIn(json).find((manifest) => manifest.metadata.name === 'claude-oauth-token')!;
    expect(tokenSecret.spec.data[0].remoteRef.key).toBe('reviewer-bot');
  });

  test('adoptFromHcl: import blocks, with the provider\'s documented IDs, for the HCL stack\'s objects whose names match ours', () => {
    const synth = (props: object) => synthStack(new ClaudeAgentServiceStack(testApp(), 'claude-agent-service', { inventory: testInventory(), scripts: testScripts(), ...props }));
    expect(synth({}).import).toBeUndefined();
    const json = synth({ adoptFromHcl: true });
    const cronJobAddress = `kubernetes_cron_job_v1.${Object.keys(json.resource!.kubernetes_cron_job_v1)[0]}`;
    expect(json.import).toEqual([{ id: 'claude-agent/claude-oauth-expiry-monitor', to: cronJobAddress }]);

    const shared = synth({ adoptFromHcl: true, tokenSecret: { name: 'claude-agent-secrets' } });
    const manifestAddress = Object.entries(shared.resource!.kubernetes_manifest).find(([, resource]: [string, any]) => resource.manifest.metadata.name === 'claude-agent-secrets')![0];
    expect(shared.import).toContainEqual({
      id: 'apiVersion=external-secrets.io/v1,kind=ExternalSecret,namespace=claude-agent,name=claude-agent-secrets',
      to: `kubernetes_manifest.${manifestAddress}`,
    });
    expect(shared.import).toHaveLength(2); // the expiry ConfigMap is named differently there (claude-oauth-expiry): created, not imported
  });
});
