import { readFileSync } from 'fs';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';
import { markdownAnchor } from '../../alerts/alert-record';
import { Duration } from '../../inventory/duration';
import { TOKEN_EXPIRY_PANELS } from '../../constructs/token-expiry-dashboard';
import { DEFAULT_PUSHGATEWAY_URL } from '../../lambda-src/contract';
import { MonitoringStack, MonitoringStackProps } from '../../stacks/monitoring/monitoring-stack';
import { schemaViolations } from '../helpers/crd-schemas';
import { manifestsIn, resourcesOfType, synthStack, testApp } from '../helpers/synth';

const RUNBOOK = 'https://git.example.test/claude-oauth-tokens/blob/main/README.md';
const OPERATOR = { mode: 'operator' } as const;

function synthMonitoring(props: Partial<MonitoringStackProps> = {}) {
  const stack = new MonitoringStack(testApp(), 'monitoring', { runbookUrl: RUNBOOK, ...props });
  return { stack, json: synthStack(stack) };
}

describe('MonitoringStack', () => {
  test('by default (the plain prometheus chart): a rules ConfigMap and its chart values, no operator resource anywhere', () => {
    const { stack, json } = synthMonitoring({ pushgateway: { deploy: {} } });
    expect(JSON.stringify(json)).not.toContain('monitoring.coreos.com');
    expect(manifestsIn(json)).toEqual([]);
    const rulesMap = resourcesOfType(json, 'kubernetes_config_map_v1').find((configMap) => configMap.metadata.name === 'claude-oauth-token-rules')!;
    expect(rulesMap.metadata.namespace).toBe('monitoring');
    expect(rulesMap.data).toEqual({ 'claude-oauth-token-expiry.rules.yml': stack.rulesFile });
    const values = parseYaml(stack.chartValues!);
    const mount = { name: 'claude-oauth-token-rules', mountPath: '/etc/claude-oauth-token-rules', subPath: '', configMap: 'claude-oauth-token-rules', readOnly: true };
    expect(values).toEqual({
      server: { extraConfigmapMounts: [mount] },
      configmapReload: { prometheus: { extraConfigmapMounts: [mount], extraVolumeDirs: ['/etc/claude-oauth-token-rules'] } },
      serverFiles: {
        'prometheus.yml': {
          rule_files: ['/etc/config/recording_rules.yml', '/etc/config/alerting_rules.yml', '/etc/config/rules', '/etc/config/alerts', '/etc/claude-oauth-token-rules/*.yml'],
        },
      },
    });
    // An installed Pushgateway is found by the chart's prometheus-pushgateway job (honor_labels) through its annotation.
    const pushgateway = parseYaml(resourcesOfType(json, 'helm_release')[0].values[0]);
    expect(pushgateway.serviceAnnotations).toEqual({ 'prometheus.io/probe': 'pushgateway' });
    expect(pushgateway.serviceMonitor).toEqual({ enabled: false });
  });

  test('keep routing needs the operator, and says so', () => {
    const keep = { keepUrl: 'http://keep:8080', apiKeySecret: { name: 'k', key: 'a' }, usernameSecret: { name: 'k', key: 'u' } };
    expect(() => synthMonitoring({ keep })).toThrow(/keep routing is an AlertmanagerConfig, a Prometheus Operator resource/);
  });

  test('operator mode: a schema-valid PrometheusRule carrying the rendered group, selected by the release label', () => {
    const { stack, json } = synthMonitoring({ ruleDelivery: OPERATOR });
    const manifests = manifestsIn(json);
    expect(manifests.flatMap(schemaViolations)).toEqual([]);
    const [rule] = manifests.filter((manifest) => manifest.kind === 'PrometheusRule');
    expect(rule.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(rule.metadata).toMatchObject({ name: 'claude-oauth-token-expiry', namespace: 'monitoring' });
    expect(rule.metadata.labels.release).toBe('kube-prometheus-stack');
    expect(rule.spec.groups).toEqual(stack.ruleGroups);
    expect(rule.spec.groups[0].rules.map((r: any) => r.alert)).toEqual([
      'ClaudeOAuthTokenExpiringSoon',
      'ClaudeOAuthTokenCritical',
      'ClaudeOAuthTokenExpired',
      'ClaudeOAuthTokenMonitorStale',
      'ClaudeOAuthTokenMonitorNeverRun',
      'ClaudeOAuthTokenSecretSyncFailing',
      'ClaudeOAuthTokenSecretSyncUnobserved',
    ]);
    for (const r of rule.spec.groups[0].rules) {
      expect(r.labels).toEqual({ namespace: 'monitoring', severity: expect.stringMatching(/^(warning|critical)$/) });
      expect(Object.keys(r.annotations).sort()).toEqual(['description', 'runbook_url', 'summary']);
    }
  });

  test('the plain rules file holds the same groups as the PrometheusRule', () => {
    const { stack, json } = synthMonitoring({ ruleDelivery: OPERATOR });
    const [rule] = manifestsIn(json);
    expect(parseYaml(stack.rulesFile)).toEqual({ groups: rule.spec.groups });
  });

  test('thresholds, for durations and the selector labels are props', () => {
    const { stack } = synthMonitoring({
      alerts: { warningBefore: Duration.days(45), criticalFor: Duration.minutes(30) },
      ruleDelivery: { mode: 'operator', selectorLabels: { prometheus: 'main' } },
    });
    const rules = stack.ruleGroups[0].rules;
    expect(rules[0].expr).toBe('min by (path) (claude_oauth_token_expiry_timestamp) - time() < 45 * 86400');
    expect(rules[0].annotations.summary).toBe('Claude Code OAuth token "{{ $labels.path }}" expires within 45 days.');
    expect(rules[1].for).toBe('30m');
    expect(manifestsIn(synthStack(stack))[0].metadata.labels).toMatchObject({ prometheus: 'main' });
  });

  test('every runbook link, probe alerts included, points at a section of the README', () => {
    const readme = readFileSync(path.resolve(__dirname, '../../docs/runbook.md'), 'utf8');
    const anchors = new Set([...readme.matchAll(/^#{2,4} (.+)$/gm)].map((match) => markdownAnchor(match[1])));
    const { stack } = synthMonitoring({ tokenProbe: {} });
    expect(stack.ruleGroups[0].rules).toHaveLength(9);
    for (const r of stack.ruleGroups[0].rules) {
      const [base, anchor] = r.annotations.runbook_url.split('#');
      expect(base).toBe(RUNBOOK);
      expect(anchors).toContain(anchor);
    }
  });

  test('by default points the monitor at the existing Pushgateway and installs none', () => {
    const { stack, json } = synthMonitoring();
    expect(stack.pushgateway.url).toBe(DEFAULT_PUSHGATEWAY_URL);
    expect(resourcesOfType(json, 'helm_release')).toEqual([]);
    expect(Object.keys(json.provider ?? {})).toEqual(['kubernetes']);
    expect(synthMonitoring({ pushgateway: { existingUrl: 'http://pgw.observability:9091' } }).stack.pushgateway.url).toBe('http://pgw.observability:9091');
  });

  test('or installs a pinned, persistent Pushgateway with a honorLabels ServiceMonitor (operator mode), and exposes its URL', () => {
    const { stack, json } = synthMonitoring({ pushgateway: { deploy: {} }, ruleDelivery: OPERATOR });
    expect(stack.pushgateway.url).toBe('http://claude-oauth-pushgateway.monitoring:9091');
    expect(Object.keys(json.provider ?? {}).sort()).toEqual(['helm', 'kubernetes']);
    const [release] = resourcesOfType(json, 'helm_release');
    expect(release).toMatchObject({
      name: 'claude-oauth-pushgateway',
      namespace: 'monitoring',
      chart: 'prometheus-pushgateway',
      repository: 'https://prometheus-community.github.io/helm-charts',
      version: '3.2.0',
      atomic: true,
    });
    const values = parseYaml(release.values[0]);
    expect(values.fullnameOverride).toBe('claude-oauth-pushgateway');
    expect(values.persistentVolume).toMatchObject({ enabled: true, mountPath: '/data' });
    expect(values.extraArgs).toContain('--persistence.file=/data/pushgateway.data');
    expect(values.serviceMonitor).toMatchObject({ enabled: true, honorLabels: true, additionalLabels: { release: 'kube-prometheus-stack' } });
    expect(values.containerSecurityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(() => synthMonitoring({ pushgateway: { deploy: { chartVersion: '^3.0.0' } } })).toThrow(/chartVersion '\^3\.0\.0' must be an exact version/);
  });

  test('installs the chart from a mirror where the public repository cannot be reached (chartRepository)', () => {
    const { json } = synthMonitoring({ pushgateway: { deploy: { chartRepository: 'https://charts.internal.example/prometheus-community' } } });
    expect(resourcesOfType(json, 'helm_release')[0]).toMatchObject({ repository: 'https://charts.internal.example/prometheus-community', chart: 'prometheus-pushgateway', version: '3.2.0' });
  });

  test('ships the Grafana dashboard to the sidecar, with the panels the e2e test queries', () => {
    const { json } = synthMonitoring();
    const dashboardMap = resourcesOfType(json, 'kubernetes_config_map_v1').find((configMap) => configMap.metadata.labels.grafana_dashboard === '1');
    const dashboard = JSON.parse(dashboardMap!.data['claude-oauth-token-expiry.json']);
    expect(dashboard.panels.map((panel: any) => panel.targets[0].expr)).toEqual(TOKEN_EXPIRY_PANELS.map((panel) => panel.expr));
    expect(resourcesOfType(synthMonitoring({ dashboard: false, ruleDelivery: OPERATOR }).json, 'kubernetes_config_map_v1')).toEqual([]);
  });

  test('Keep is off by default; on, a schema-valid AlertmanagerConfig routes these alerts to its webhook', () => {
    expect(manifestsIn(synthMonitoring({ ruleDelivery: OPERATOR }).json).map((manifest) => manifest.kind)).toEqual(['PrometheusRule']);
    const { json } = synthMonitoring({
      ruleDelivery: OPERATOR,
      keep: {
        keepUrl: 'http://keep-backend.keep:8080/',
        apiKeySecret: { name: 'keep-api', key: 'api-key' },
        usernameSecret: { name: 'keep-api', key: 'username' },
      },
    });
    const keep = manifestsIn(json).find((manifest) => manifest.kind === 'AlertmanagerConfig')!;
    expect(schemaViolations(keep)).toEqual([]);
    expect(keep.apiVersion).toBe('monitoring.coreos.com/v1alpha1');
    expect(keep.metadata.namespace).toBe('monitoring');
    expect(keep.spec.route).toMatchObject({ receiver: 'keep', matchers: [{ name: 'alertname', matchType: '=~', value: 'ClaudeOAuthToken.*' }] });
    expect(keep.spec.receivers[0].webhookConfigs).toEqual([
      {
        url: 'http://keep-backend.keep:8080/alerts/event/prometheus',
        sendResolved: true,
        httpConfig: { basicAuth: { username: { name: 'keep-api', key: 'username' }, password: { name: 'keep-api', key: 'api-key' } } },
      },
    ]);
  });

  test('rejects a runbook URL that is not a URL', () => {
    expect(() => synthMonitoring({ runbookUrl: 'README.md' })).toThrow(/runbookUrl 'README\.md' must be an http\(s\) URL/);
  });
});
