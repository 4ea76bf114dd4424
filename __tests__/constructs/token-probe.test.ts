import { TokenProbe, TokenProbeProps } from '../../constructs/token-probe';
import { Duration } from '../../inventory/duration';
import { schemaViolations } from '../helpers/crd-schemas';
import { testInventory } from '../helpers/inventory';
import { testScripts } from '../helpers/scripts';
import { asTerraformReads, manifestsIn, resourcesOfType, StackJson, synthConstructs } from '../helpers/synth';

function synthProbe(props: Partial<TokenProbeProps> = {}): StackJson {
  return synthConstructs((scope) => new TokenProbe(scope, 'probe', { bundle: testScripts().probe, namespace: 'claude-agent', tokens: testInventory().tokens, ...props }));
}

describe('TokenProbe', () => {
  test('its own schema-valid ExternalSecret holds one key per token path, spares included', () => {
    const [externalSecret] = manifestsIn(synthProbe());
    expect(schemaViolations(externalSecret)).toEqual([]);
    expect(externalSecret.metadata.name).toBe('claude-oauth-token-probe-tokens');
    expect(externalSecret.spec.data).toEqual([
      { secretKey: 'primary', remoteRef: { key: 'claude-agent-service', property: 'claude_oauth_token' } },
      { secretKey: 'spare-1', remoteRef: { key: 'claude-agent-service-spare-1', property: 'claude_oauth_token' } },
      { secretKey: 'spare-2', remoteRef: { key: 'claude-agent-service-spare-2', property: 'claude_oauth_token' } },
    ]);
  });

  test('a CronJob of its own, offset from the monitor, reading the tokens as files, never as environment variables', () => {
    const json = synthProbe();
    const [cronJob] = resourcesOfType(json, 'kubernetes_cron_job_v1');
    expect(cronJob.metadata.name).toBe('claude-oauth-token-probe');
    expect(cronJob.spec.schedule).toBe('0 3-23/6 * * *');
    const { spec } = cronJob.spec.job_template.spec.template;
    expect(spec.volume).toContainEqual({ name: 'tokens', secret: { secret_name: 'claude-oauth-token-probe-tokens', default_mode: '0440' } });
    const [container] = spec.container;
    expect(container.volume_mount).toContainEqual({ name: 'tokens', mount_path: '/etc/claude-oauth-tokens', read_only: true });
    expect(container.env.every((variable: any) => variable.value_from === undefined)).toBe(true);
    expect(container.env_from).toBeUndefined();
    expect(Object.fromEntries(container.env.map((v: any) => [v.name, v.value]))).toMatchObject({
      TOKEN_DIR: '/etc/claude-oauth-tokens',
      PROBE_ENDPOINT: 'https://api.anthropic.com/api/oauth/profile',
      PROBE_ANTHROPIC_BETA: 'oauth-2025-04-20',
    });
    expect(container.security_context).toMatchObject({ run_as_non_root: true, read_only_root_filesystem: true, allow_privilege_escalation: false });
    expect(spec.security_context).toMatchObject({ run_as_non_root: true, fs_group: '1000', seccomp_profile: { type: 'RuntimeDefault' } });
    const [serviceAccount] = resourcesOfType(json, 'kubernetes_service_account_v1');
    expect(serviceAccount.metadata.name).toBe('claude-oauth-token-probe');
    expect(resourcesOfType(json, 'kubernetes_job_v1')).toEqual([]); // no deploy-time run: it spends API calls
  });

  test('ships the probe bundle, free of cdktf, and not the monitor', () => {
    const script = resourcesOfType(synthProbe(), 'kubernetes_config_map_v1').find((configMap) => 'probe.js' in configMap.data);
    const bundle = testScripts().probe;
    expect(asTerraformReads(script!.data['probe.js'])).toBe(bundle.code);
    expect(bundle.inputs.every((input) => input.startsWith('lambda-src/') || input.startsWith('inventory/'))).toBe(true);
    expect(bundle.inputs).toContain('lambda-src/token-probe.ts');
    expect(bundle.inputs).not.toContain('lambda-src/monitor.ts');
  });

  test('refuses a plain-http endpoint off loopback', () => {
    expect(() => synthProbe({ endpoint: 'http://api.anthropic.com/api/oauth/profile' })).toThrow(
      /TokenProbe 'claude-oauth-token-probe': probe endpoint http:\/\/api\.anthropic\.com is not https/,
    );
  });

  test("its worst case (every token's request timing out, then every push) must fit its deadline", () => {
    const spares = (count: number) => Object.fromEntries([['primary', 1776528429], ...Array.from({ length: count - 1 }, (_, i) => [`spare-${i + 1}`, 1776528429])]);
    expect(() => synthProbe({ tokens: testInventory(spares(27)).tokens })).not.toThrow(); // 270 s + 23.5 s < 300 s
    expect(() => synthProbe({ tokens: testInventory(spares(30)).tokens })).toThrow(
      "TokenProbe 'claude-oauth-token-probe': activeDeadline 5m is not longer than one run's worst case (30 tokens x 10s plus the push's 23.5s = 323.5s): raise activeDeadline or lower the timeout.",
    );
    expect(() => synthProbe({ tokens: testInventory(spares(30)).tokens, timeout: Duration.seconds(5) })).not.toThrow();
  });
});
