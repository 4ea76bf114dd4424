import { Duration } from '../../inventory/duration';
import { TOKEN_EXPIRY_PANELS } from '../../constructs/token-expiry-dashboard';
import { SECONDS_PER_DAY } from '../../inventory/expiry';
import { MonitoringStack } from '../../stacks/monitoring/monitoring-stack';
import { ConfigMapMount } from '../../devkit/configmap-mount';
import { RunningBinary, startAlertmanager, startPrometheus, startPushgateway, stopAllBinaries } from '../../devkit/real-binaries';
import { runShippedMonitor } from '../helpers/shipped-monitor';
import { NotifiedAlert, startWebhookReceiver } from '../helpers/webhook-receiver';
import { testApp } from '../helpers/synth';

const RUNBOOK = 'https://git.example.test/claude-oauth-tokens/blob/main/README.md';

/** The generated rules, with test-sized `for` durations: the same expressions as deployed. */
function testSizedRulesFile(): string {
  const quick = Duration.seconds(1);
  return new MonitoringStack(testApp(), 'monitoring', {
    runbookUrl: RUNBOOK,
    alerts: { expiringSoonFor: quick, criticalFor: quick, expiredFor: quick, monitorStaleFor: quick, monitorNeverRunFor: Duration.hours(1) },
  }).rulesFile;
}

jest.setTimeout(120_000);

describe('end to end: monitor -> Pushgateway -> Prometheus -> Alertmanager -> webhook', () => {
  let webhook: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let prometheus: RunningBinary;
  let pushgateway: RunningBinary;
  let mount: ConfigMapMount;

  beforeAll(async () => {
    webhook = await startWebhookReceiver();
    const alertmanager = await startAlertmanager(
      [
        'route: { receiver: test, group_by: [alertname, path], group_wait: 1s, group_interval: 1s, repeat_interval: 1h }',
        `receivers: [{ name: test, webhook_configs: [{ url: '${webhook.url}', send_resolved: true }] }]`,
      ].join('\n'),
    );
    pushgateway = await startPushgateway();
    prometheus = await startPrometheus(
      () =>
        [
          'global: { scrape_interval: 1s, evaluation_interval: 1s }',
          'rule_files: [rules.yml]',
          `alerting: { alertmanagers: [{ static_configs: [{ targets: ['127.0.0.1:${alertmanager.port}'] }] }] }`,
          `scrape_configs: [{ job_name: pushgateway, honor_labels: true, static_configs: [{ targets: ['127.0.0.1:${pushgateway.port}'] }] }]`,
        ].join('\n'),
      { 'rules.yml': testSizedRulesFile() },
    );
    const now = Math.floor(Date.now() / 1000);
    mount = new ConfigMapMount({ primary: String(now + 3 * SECONDS_PER_DAY), 'spare-1': String(now + 200 * SECONDS_PER_DAY) });
    const run = await runShippedMonitor({ TOKEN_EXPIRY_DIR: mount.dir, PUSHGATEWAY_URL: pushgateway.url });
    expect(run.code).toBe(0);
  });

  afterAll(async () => {
    mount?.remove();
    await webhook?.close();
    await stopAllBinaries();
  });

  const isAlert = (alertname: string, status: NotifiedAlert['status']) => (alert: NotifiedAlert) =>
    alert.labels.alertname === alertname && alert.labels.path === 'primary' && alert.status === status;

  test('a token with 3 days left reaches a human as Critical (and ExpiringSoon), labelled with its path', async () => {
    const { alert } = await webhook.waitFor(isAlert('ClaudeOAuthTokenCritical', 'firing'), 60_000);
    expect(alert.labels).toMatchObject({ alertname: 'ClaudeOAuthTokenCritical', severity: 'critical', path: 'primary', namespace: 'monitoring' });
    expect(alert.annotations.summary).toBe('Claude Code OAuth token "primary" expires within 7 days.');
    expect(alert.annotations.description).toMatch(/^Claude Code OAuth token "primary" expires in 2d 23h \d+m \d+s, at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC\. Rotate it now/);
    expect(alert.annotations.runbook_url).toBe(`${RUNBOOK}#claudeoauthtokencritical`);
    await webhook.waitFor(isAlert('ClaudeOAuthTokenExpiringSoon', 'firing'), 30_000);
    const everyAlert = webhook.notifications.flatMap((notification) => notification.alerts);
    expect(everyAlert.filter((a) => a.labels.path === 'spare-1')).toEqual([]); // the healthy token stays quiet
    expect(everyAlert.filter((a) => a.labels.alertname === 'ClaudeOAuthTokenExpired')).toEqual([]);
  });

  test('every dashboard panel query returns data from that Prometheus', async () => {
    for (const panel of TOKEN_EXPIRY_PANELS) {
      const response = await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(panel.expr)}`);
      const body = (await response.json()) as { status: string; data: { result: unknown[] } };
      expect({ panel: panel.title, status: body.status }).toEqual({ panel: panel.title, status: 'success' });
      expect({ panel: panel.title, results: body.data.result.length > 0 }).toEqual({ panel: panel.title, results: true });
    }
  });

  test('rotating the token (new map, monitor rerun) resolves the alert; the time it takes is reported', async () => {
    const rotatedAt = Date.now();
    mount.update({ primary: String(Math.floor(rotatedAt / 1000) + 365 * SECONDS_PER_DAY), 'spare-1': String(Math.floor(rotatedAt / 1000) + 200 * SECONDS_PER_DAY) });
    const run = await runShippedMonitor({ TOKEN_EXPIRY_DIR: mount.dir, PUSHGATEWAY_URL: pushgateway.url });
    expect(run.code).toBe(0);
    const { receivedAt } = await webhook.waitFor(isAlert('ClaudeOAuthTokenCritical', 'resolved'), 60_000);
    await webhook.waitFor(isAlert('ClaudeOAuthTokenExpiringSoon', 'resolved'), 30_000);
    console.log(`rotation -> resolved notification: ${receivedAt - rotatedAt} ms (scrape 1s, evaluation 1s, group_interval 1s)`);
    expect(receivedAt).toBeGreaterThan(rotatedAt);
  });
});
