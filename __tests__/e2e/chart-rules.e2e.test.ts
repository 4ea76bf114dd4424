import { parse } from 'yaml';
import { RULES_CONFIG_MAP_KEY } from '../../constructs/prometheus-rules-config-map';
import { MonitoringStack } from '../../stacks/monitoring/monitoring-stack';
import { ConfigMapMount } from '../../devkit/configmap-mount';
import { RunningBinary, startPrometheus, stopAllBinaries } from '../../devkit/real-binaries';
import { resourcesOfType, synthStack, testApp } from '../helpers/synth';

const RUNBOOK = 'https://git.example.test/claude-oauth-tokens/blob/main/README.md';

/** The synthesized rules ConfigMap's data and the chart values, for a monitoring stack built with `props`. */
function synthesized(props: { tokenProbe?: object } = {}) {
  const stack = new MonitoringStack(testApp(), 'monitoring', { runbookUrl: RUNBOOK, ...props });
  const rulesMap = resourcesOfType(synthStack(stack), 'kubernetes_config_map_v1').find((configMap) => configMap.metadata.name === 'claude-oauth-token-rules')!;
  return { data: rulesMap.data as Record<string, string>, values: parse(stack.chartValues!) };
}

async function loadedRules(prometheus: RunningBinary): Promise<Array<{ file: string; names: string[] }>> {
  const answer: any = await (await fetch(`${prometheus.url}/api/v1/rules`)).json();
  return answer.data.groups.map((group: any) => ({ file: group.file, names: group.rules.map((rule: any) => rule.name) }));
}

describe('the plain-chart rules ConfigMap in a real Prometheus', () => {
  let mount: ConfigMapMount;
  let prometheus: RunningBinary;
  afterAll(async () => {
    mount?.remove();
    await stopAllBinaries();
  });

  test('loads from a kubelet-style mount through the rule_files glob of the printed chart values, and reloads a change', async () => {
    const { data, values } = synthesized();
    mount = new ConfigMapMount(data);
    // The printed values' rule_files, with the chart's mount path pointed at this mount.
    const ruleFiles: string[] = values.serverFiles['prometheus.yml'].rule_files;
    const chartMountPath: string = values.server.extraConfigmapMounts[0].mountPath;
    const config = { global: { evaluation_interval: '1s' }, rule_files: ruleFiles.map((file) => file.replace(chartMountPath, mount.dir)) };
    prometheus = await startPrometheus(() => JSON.stringify(config));

    const [group] = await loadedRules(prometheus);
    expect(group.file).toBe(`${mount.dir}/${RULES_CONFIG_MAP_KEY}`); // through the `..data` symlink, as the kubelet lays it out
    expect(group.names).toEqual([
      'ClaudeOAuthTokenExpiringSoon',
      'ClaudeOAuthTokenCritical',
      'ClaudeOAuthTokenExpired',
      'ClaudeOAuthTokenMonitorStale',
      'ClaudeOAuthTokenMonitorNeverRun',
      'ClaudeOAuthTokenSecretSyncFailing',
      'ClaudeOAuthTokenSecretSyncUnobserved',
    ]);

    // A deploy that changes the rules swaps the mount atomically; the chart's config-reloader then reloads.
    mount.update(synthesized({ tokenProbe: {} }).data);
    expect((await fetch(`${prometheus.url}/-/reload`, { method: 'POST' })).status).toBe(200);
    const [reloaded] = await loadedRules(prometheus);
    expect(reloaded.names).toContain('ClaudeOAuthTokenRejected');
  });
});
