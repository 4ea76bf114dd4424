import { createHash } from 'crypto';
import { Construct } from 'constructs';
import { Duration } from '../../inventory/duration';
import { CHECKSUM_ANNOTATION, ExpiryMonitor, ExpiryMonitorProps } from '../../constructs/expiry-monitor';
import { Pushgateway } from '../../constructs/pushgateway';
import { TokenExpiryConfigMap } from '../../constructs/token-expiry-config-map';
import { MintEpochs } from '../../inventory/token-inventory';
import { MonitorEnv } from '../../lambda-src/contract';
import { EXAMPLE_MINT_EPOCHS, testInventory } from '../helpers/inventory';
import { testScripts } from '../helpers/scripts';
import { asTerraformReads, resourcesOfType, StackJson, synthConstructs } from '../helpers/synth';

function synthMonitor(props: Partial<ExpiryMonitorProps> = {}, mintEpochs: MintEpochs = EXAMPLE_MINT_EPOCHS): StackJson {
  return synthConstructs((scope: Construct) => {
    const expiryConfigMap = new TokenExpiryConfigMap(scope, 'expiry', { namespace: 'claude-agent', tokens: testInventory(mintEpochs).tokens });
    new ExpiryMonitor(scope, 'monitor', { bundle: testScripts().monitor, expiryConfigMap, ...props });
  });
}

function podOf(json: StackJson): Record<string, any> {
  const [cronJob] = resourcesOfType(json, 'kubernetes_cron_job_v1');
  return cronJob.spec.job_template.spec.template;
}

describe('ExpiryMonitor', () => {
  test('a CronJob every 6 hours that never overlaps, with bounded deadlines and history', () => {
    const [cronJob] = resourcesOfType(synthMonitor(), 'kubernetes_cron_job_v1');
    expect(cronJob.metadata).toMatchObject({ name: 'claude-oauth-expiry-monitor', namespace: 'claude-agent' });
    expect(cronJob.spec).toMatchObject({
      schedule: '0 */6 * * *',
      concurrency_policy: 'Forbid',
      starting_deadline_seconds: 600,
      successful_jobs_history_limit: 1,
      failed_jobs_history_limit: 3,
    });
    expect(cronJob.spec.job_template.spec).toMatchObject({ backoff_limit: 2, active_deadline_seconds: 300 });
  });

  test('the pod meets the restricted Pod Security Standard, with requests and limits', () => {
    const { spec } = podOf(synthMonitor());
    expect(spec.security_context).toEqual({
      run_as_non_root: true,
      run_as_user: '1000',
      run_as_group: '1000',
      fs_group: '1000',
      seccomp_profile: { type: 'RuntimeDefault' },
    });
    expect(spec.container).toHaveLength(1);
    const [container] = spec.container;
    expect(container.security_context).toEqual({
      run_as_non_root: true,
      allow_privilege_escalation: false,
      read_only_root_filesystem: true,
      privileged: false,
      capabilities: { drop: ['ALL'] },
      seccomp_profile: { type: 'RuntimeDefault' },
    });
    expect(container.resources).toEqual({ requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '200m', memory: '128Mi' } });
    expect(container.image).toBe('docker.io/library/node:22.20.0-alpine3.22');
    expect(spec.restart_policy).toBe('Never');
    for (const forbidden of ['host_network', 'host_pid', 'host_ipc']) expect(spec[forbidden]).toBeUndefined();
  });

  test('never sees a token: no Secret volume, no env from a Secret, no service-account token', () => {
    const json = synthMonitor();
    const { spec } = podOf(json);
    expect(spec.automount_service_account_token).toBe(false);
    const [serviceAccount] = resourcesOfType(json, 'kubernetes_service_account_v1');
    expect(serviceAccount.automount_service_account_token).toBe(false);
    expect(serviceAccount.metadata.name).toBe('claude-oauth-expiry-monitor');
    expect(spec.volume.map((volume: any) => Object.keys(volume).sort())).toEqual([
      ['config_map', 'name'],
      ['config_map', 'name'],
    ]);
    // By reference, so that Terraform creates both ConfigMaps before the CronJob.
    expect(spec.volume.map((volume: any) => volume.config_map.name)).toEqual([
      expect.stringMatching(/^\$\{kubernetes_config_map_v1\.monitor_script_\w+\.metadata\[0\]\.name\}$/),
      expect.stringMatching(/^\$\{kubernetes_config_map_v1\.expiry_resource_\w+\.metadata\[0\]\.name\}$/),
    ]);
    const [container] = spec.container;
    expect(container.env_from).toBeUndefined();
    expect(container.env.every((variable: any) => variable.value_from === undefined)).toBe(true);
    expect(container.volume_mount.every((mount: any) => mount.read_only === true)).toBe(true);
  });

  test('runs the bundled script from its ConfigMap, with the contract environment', () => {
    const json = synthMonitor({ pushgateway: Pushgateway.fromUrl('http://pushgateway.observability:9091') });
    const script = resourcesOfType(json, 'kubernetes_config_map_v1').find((configMap) => configMap.metadata.name === 'claude-oauth-expiry-monitor-script');
    expect(asTerraformReads(script?.data['monitor.js'])).toBe(testScripts().monitor.code);
    const [container] = podOf(json).spec.container;
    expect(container.command).toEqual(['node', '/opt/claude-oauth-expiry-monitor/monitor.js']);
    expect(Object.fromEntries(container.env.map((variable: any) => [variable.name, variable.value]))).toEqual({
      [MonitorEnv.expiryDir]: '/etc/claude-oauth-token-expiry',
      [MonitorEnv.pushgatewayUrl]: 'http://pushgateway.observability:9091',
      [MonitorEnv.pushTimeoutMs]: '5000',
      [MonitorEnv.pushAttempts]: '4',
    });
  });

  test('the bundle is small and free of cdktf, constructs and the providers', () => {
    const bundle = testScripts().monitor;
    expect(bundle.inputs.every((input) => input.startsWith('lambda-src/') || input.startsWith('inventory/'))).toBe(true);
    expect(bundle.inputs).not.toContain('inventory/token-inventory.ts');
    expect(Buffer.byteLength(bundle.code)).toBeLessThan(100 * 1024);
  });

  test('the pod checksum changes with the expiry map, and not otherwise', () => {
    const checksum = (json: StackJson) => podOf(json).metadata.annotations[CHECKSUM_ANNOTATION];
    const base = checksum(synthMonitor());
    expect(base).toMatch(/^[a-f0-9]{64}$/);
    expect(checksum(synthMonitor())).toBe(base);
    expect(checksum(synthMonitor({ schedule: '30 */6 * * *' }))).toBe(base);
    expect(checksum(synthMonitor({}, { ...EXAMPLE_MINT_EPOCHS, 'spare-1': EXAMPLE_MINT_EPOCHS['spare-1'] + 1 }))).not.toBe(base);
  });

  test('the pod checksum and the deploy-time Job change when the monitor program changes', () => {
    const released = testScripts().monitor;
    const code = `${released.code}\n// edited\n`;
    const edited = { ...released, code, sha256: createHash('sha256').update(code).digest('hex') };
    expect(edited.sha256).not.toBe(released.sha256);
    const runOf = (bundle: typeof released) => {
      const json = synthMonitor({ bundle });
      return { checksum: podOf(json).metadata.annotations[CHECKSUM_ANNOTATION], job: resourcesOfType(json, 'kubernetes_job_v1')[0].metadata.name };
    };
    const before = runOf(released);
    const after = runOf(edited);
    expect(after.checksum).not.toBe(before.checksum);
    expect(after.job).not.toBe(before.job); // a new deploy-time run
    expect(runOf(released)).toEqual(before);
  });

  test.each([
    [{ schedule: 'every 6 hours' }, /schedule 'every 6 hours' is not a 5-field cron expression/],
    [{ schedule: '0 */6 * *' }, /schedule '0 \*\/6 \* \*' is not a 5-field cron expression/],
    [{ image: 'node:22.20.0-alpine3.22' }, /image 'node:22\.20\.0-alpine3\.22' does not name its registry, and clusters that admit only trusted registries refuse it: write it in full \(e\.g\. 'docker\.io\/library\/node:22\.20\.0-alpine3\.22'/],
    [{ image: 'docker.io/library/node' }, /image 'docker\.io\/library\/node' must be pinned to a tag other than 'latest', or to a digest/],
    [{ image: 'docker.io/library/node:latest' }, /must be pinned/],
    [{ image: 'registry.local:5000/node' }, /image 'registry\.local:5000\/node' must be pinned/],
    [{ image: 'docker.io/library/node:22@sha256:abc' }, /has a malformed digest/],
    [{ image: 'docker.io/library/node:22 --privileged' }, /outside printable ASCII/],
    [{ ignoredPodTemplateFields: ['dns_config'] }, /ignoredPodTemplateFields: 'dns_config' is not a Terraform attribute path under a pod template/],
    [{ runAsUser: 0 }, /runAsUser 0 must be a non-root user id/],
    [{ pushAttempts: 0 }, /pushAttempts 0 must be a whole number from 1 to 10/],
    [{ activeDeadline: Duration.seconds(20) }, /activeDeadline 20s is not longer than one run's worst case \(4 pushes x 5s plus backoff = 23\.5s\)/],
  ])('rejects %o', (props, message) => {
    expect(() => synthMonitor(props as Partial<ExpiryMonitorProps>)).toThrow(message);
  });

  test('accepts images pinned by tag on a registry with a port, or by digest', () => {
    expect(() => synthMonitor({ image: 'registry.local:5000/library/node:22.20.0-alpine3.22' })).not.toThrow();
    expect(() => synthMonitor({ image: `docker.io/library/node@sha256:${'a'.repeat(64)}` })).not.toThrow();
    expect(() => synthMonitor({ image: `docker.io/library/node:22.20.0-alpine3.22@sha256:${'a'.repeat(64)}` })).not.toThrow();
  });

  describe('deploy-time run', () => {
    const jobOf = (json: StackJson) => resourcesOfType(json, 'kubernetes_job_v1')[0];

    test('a Job with exactly the CronJob pod template, waited for by the deploy, never garbage-collected', () => {
      const json = synthMonitor();
      const job = jobOf(json);
      expect(job.spec.template).toEqual(podOf(json));
      expect(job.wait_for_completion).toBe(true);
      expect(job.timeouts).toEqual({ create: '360s', update: '360s' });
      expect(job.spec).toMatchObject({ backoff_limit: 2, active_deadline_seconds: 300 });
      expect(job.spec.ttl_seconds_after_finished).toBeUndefined();
      expect(job.metadata.namespace).toBe('claude-agent');
      const checksum = podOf(json).metadata.annotations[CHECKSUM_ANNOTATION];
      expect(job.metadata.name).toBe(`claude-oauth-expiry-monitor-${checksum.slice(0, 10)}`);
    });

    test('its name changes when the map changes, and only then', () => {
      const name = (json: StackJson) => jobOf(json).metadata.name;
      const base = name(synthMonitor());
      expect(name(synthMonitor({ schedule: '15 */6 * * *', backoffLimit: 3 }))).toBe(base);
      expect(name(synthMonitor({}, { ...EXAMPLE_MINT_EPOCHS, primary: EXAMPLE_MINT_EPOCHS.primary + 60 }))).not.toBe(base);
    });

    test('one prop turns it off', () => {
      expect(resourcesOfType(synthMonitor({ runOnDeploy: false }), 'kubernetes_job_v1')).toEqual([]);
    });
  });

  describe('drift detection', () => {
    const layout = testInventory().vaultLayout;
    const drift = { vaultAddress: 'https://vault.vault:8200', layout };

    test('mounts a short-lived token for the vault audience only, and points the monitor at Vault', () => {
      const json = synthMonitor({ driftDetection: drift });
      const { spec } = podOf(json);
      expect(spec.automount_service_account_token).toBe(false);
      expect(spec.volume).toContainEqual({
        name: 'vault-token',
        projected: [{ default_mode: '0440', sources: [{ service_account_token: { audience: 'vault', expiration_seconds: 600, path: 'token' } }] }],
      });
      const [container] = spec.container;
      expect(container.volume_mount).toContainEqual({ name: 'vault-token', mount_path: '/var/run/secrets/vault', read_only: true });
      expect(Object.fromEntries(container.env.map((v: any) => [v.name, v.value]))).toMatchObject({
        VAULT_ADDR: 'https://vault.vault:8200',
        VAULT_ROLE: 'claude-oauth-expiry-monitor',
        VAULT_AUTH_MOUNT: 'kubernetes',
        VAULT_KV_MOUNT: 'secret',
        VAULT_BASE_NAME: 'claude-agent-service',
        VAULT_JWT_FILE: '/var/run/secrets/vault/token',
        VAULT_TIMEOUT_MS: '5000',
      });
      expect(podOf(synthMonitor()).spec.volume.map((volume: any) => volume.name)).toEqual(['script', 'token-expiry']);
    });

    test("counts Vault's worst case in the deadline check", () => {
      expect(() => synthMonitor({ driftDetection: drift, activeDeadline: Duration.seconds(30) })).toThrow(
        /activeDeadline 30s is not longer than one run's worst case \(4 pushes x 5s plus backoff = 23\.5s, plus 4 Vault requests x 5s\)/,
      );
      expect(() => synthMonitor({ driftDetection: { vaultAddress: 'vault:8200', layout } })).toThrow(/driftDetection\.vaultAddress 'vault:8200' is not an http\(s\) URL/);
    });

    test('refuses plain-http Vault outside the cluster (the login carries the pod\'s ServiceAccount token), allows a cluster-local Service name', () => {
      for (const outside of ['http://vault.vault:8200', 'http://vault.example.com:8200', 'http://vault.vault.svc.cluster.local.evil.example:8200', 'http://10.0.0.5:8200']) {
        expect(() => synthMonitor({ driftDetection: { vaultAddress: outside, layout } })).toThrow(
          /is plain http outside the cluster: .* Use https, or, for an in-cluster Vault without TLS, its Service's cluster-local name \(e\.g\. 'http:\/\/vault-active\.vault\.svc\.cluster\.local:8200'\)/,
        );
      }
      for (const inside of ['http://127.0.0.1:8200', 'http://vault-active.vault.svc.cluster.local:8200', 'http://vault.vault.svc:8200']) {
        expect(() => synthMonitor({ driftDetection: { vaultAddress: inside, layout } })).not.toThrow();
      }
    });
  });
});
