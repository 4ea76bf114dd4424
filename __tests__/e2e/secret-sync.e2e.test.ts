import { createServer, Server } from 'http';
import { toRuleGroup } from '../../alerts/alert-record';
import { renderRulesFile } from '../../alerts/rules-file';
import { secretSyncAlerts } from '../../alerts/secret-sync-alerts';
import { Duration } from '../../inventory/duration';
import { freePort, RunningBinary, startPrometheus, stopAllBinaries } from '../../devkit/real-binaries';

/** A loopback stand-in for ESO's metrics endpoint, serving `externalsecret_status_condition` as ESO does. */
async function esoMetrics(externalSecrets: Array<{ name: string; namespace: string; ready: boolean }>): Promise<{ port: number; close: () => Promise<void> }> {
  const body = [
    '# HELP externalsecret_status_condition The status condition of a specific External Secret',
    '# TYPE externalsecret_status_condition gauge',
    ...externalSecrets.flatMap(({ name, namespace, ready }) =>
      ['True', 'False'].map((status) => `externalsecret_status_condition{condition="Ready",name="${name}",namespace="${namespace}",status="${status}"} ${(status === 'True') === ready ? 1 : 0}`),
    ),
    '',
  ].join('\n');
  const server: Server = createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(body));
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

jest.setTimeout(60_000);

describe('ClaudeOAuthTokenSecretSyncFailing on real Prometheus, scraping ESO both ways', () => {
  const stopping: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const stop of stopping) await stop();
    await stopAllBinaries();
  });

  test('fires for a not-Ready token ExternalSecret whether the namespace arrives as exported_namespace or namespace', async () => {
    // Two ESO stand-ins: one scraped as ESO's chart scrapes by default (honor_labels false, so the target's own
    // namespace label pushes the metric's aside), one with honor_labels true.
    const chartDefault = await esoMetrics([
      { name: 'claude-oauth-token', namespace: 'claude-agent', ready: false },
      { name: 'claude-credentials', namespace: 'claude-agent', ready: false }, // not a token ExternalSecret
    ]);
    const honoured = await esoMetrics([
      { name: 'claude-oauth-token-probe-tokens', namespace: 'claude-agent', ready: false },
      { name: 'claude-oauth-token', namespace: 'staging', ready: false }, // ours by name, another namespace
    ]);
    stopping.push(chartDefault.close, honoured.close);
    const records = secretSyncAlerts({ namespace: 'claude-agent', externalSecretNames: ['claude-oauth-token', 'claude-oauth-token-probe-tokens'], for: Duration.seconds(0) });
    const target = (port: number) => ({ targets: [`127.0.0.1:${port}`], labels: { namespace: 'external-secrets', service: 'external-secrets-metrics' } });
    const prometheus: RunningBinary = await startPrometheus(
      () =>
        JSON.stringify({
          global: { scrape_interval: '1s', evaluation_interval: '1s' },
          rule_files: ['rules.yml'],
          scrape_configs: [
            { job_name: 'eso-honor-labels-false', honor_labels: false, static_configs: [target(chartDefault.port)] },
            { job_name: 'eso-honor-labels-true', honor_labels: true, static_configs: [target(honoured.port)] },
          ],
        }),
      { 'rules.yml': renderRulesFile([toRuleGroup('sync', records, 'https://example.test/README.md', { namespace: 'monitoring' })]) },
    );

    let firing: string[] = [];
    for (const deadline = Date.now() + 30_000; Date.now() < deadline && firing.length < 2; await new Promise((resolve) => setTimeout(resolve, 250))) {
      const answer: any = await (await fetch(`${prometheus.url}/api/v1/alerts`)).json();
      firing = answer.data.alerts.filter((alert: any) => alert.state === 'firing').map((alert: any) => alert.labels.name).sort();
    }
    expect(firing).toEqual(['claude-oauth-token', 'claude-oauth-token-probe-tokens']);

    // The two shapes really were different on the way in.
    const shapes: any = await (await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent('externalsecret_status_condition{status="False"}')}`)).json();
    const byJob = Object.fromEntries(shapes.data.result.filter((r: any) => r.metric.name.startsWith('claude-oauth-token')).map((r: any) => [`${r.metric.job}/${r.metric.name}`, r.metric]));
    expect(byJob['eso-honor-labels-false/claude-oauth-token']).toMatchObject({ namespace: 'external-secrets', exported_namespace: 'claude-agent' });
    expect(byJob['eso-honor-labels-true/claude-oauth-token-probe-tokens']).toMatchObject({ namespace: 'claude-agent' });
    expect(byJob['eso-honor-labels-true/claude-oauth-token-probe-tokens'].exported_namespace).toBeUndefined();
  });
});
