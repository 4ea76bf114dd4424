import { ChartRepository, startChartRepository } from '../../devkit/cluster/chart-repository';
import { startKwok } from '../../devkit/cluster/kwok';
import { LocalCluster } from '../../devkit/cluster/local-cluster';
import { RunOutcome } from '../../devkit/cluster/processes';

/**
 * `"pushgateway": {"deploy": {…}}` where the public chart repository cannot be reached, as on an
 * air-gapped cluster: the real Helm provider installs the pinned chart from a mirror
 * (`chartRepository`) served on loopback, waits for it (KWOK makes its pod Ready), and the next plan is empty.
 */
const STACK = 'monitoring';

describe('the monitoring stack installing its own Pushgateway from a chart mirror', () => {
  let local: LocalCluster;
  let charts: ChartRepository;
  const outcome = new RunOutcome();

  beforeAll(outcome.track(async () => {
    charts = await startChartRepository();
    local = await LocalCluster.start({ scheduler: true });
    await startKwok(local.cluster);
    await local.installPrerequisites();
    // The chart keeps the last push on a volume; this cluster has no provisioner, so a volume waits for it.
    local.cluster.kubectl(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name: 'pushgateway-data' },
        spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/pushgateway-data' } },
      }),
    });
    local.synth({ pushgateway: { deploy: { chartRepository: charts.url } } });
    await local.tofuOk(STACK, ['init', '-input=false']);
  }), 300_000);

  afterAll(async () => {
    if (outcome.failed) local?.keepForInspection();
    await local?.stop();
    await charts?.close();
  }, 60_000);

  test('installs the pinned chart from the mirror and waits until it runs; the next plan is empty', outcome.track(async () => {
    await local.tofuOk(STACK, ['apply', '-input=false', '-auto-approve']);
    expect(charts.requests).toEqual(expect.arrayContaining(['/index.yaml', '/prometheus-pushgateway-3.2.0.tgz']));
    const deployment = JSON.parse(local.cluster.kubectl(['get', 'deployment', 'claude-oauth-pushgateway', '-n', 'monitoring', '-o', 'json']).stdout) as {
      metadata: { labels: Record<string, string> };
      spec: { template: { spec: { containers: { args?: string[] }[] } } };
      status: { readyReplicas?: number };
    };
    expect(deployment.metadata.labels['helm.sh/chart']).toBe('prometheus-pushgateway-3.2.0');
    expect(deployment.status.readyReplicas).toBe(1);
    expect(deployment.spec.template.spec.containers[0].args).toContain('--persistence.file=/data/pushgateway.data');
    const service = JSON.parse(local.cluster.kubectl(['get', 'service', 'claude-oauth-pushgateway', '-n', 'monitoring', '-o', 'json']).stdout) as { metadata: { annotations?: Record<string, string> }; spec: { ports: { port: number }[] } };
    expect({ annotations: service.metadata.annotations, port: service.spec.ports[0].port }).toEqual({ annotations: expect.objectContaining({ 'prometheus.io/probe': 'pushgateway' }), port: 9091 });
    const replan = await local.tofu(STACK, ['plan', '-input=false', '-detailed-exitcode']);
    expect({ status: replan.status, stderr: replan.stderr }).toEqual({ status: 0, stderr: '' });
  }));

  test('destroy removes the release and the rules, and leaves the namespace', outcome.track(async () => {
    await local.tofuOk(STACK, ['destroy', '-input=false', '-auto-approve']);
    expect(local.cluster.kubectl(['get', 'deployments,services,configmaps', '-n', 'monitoring', '-o', 'name']).stdout.split('\n').filter((line) => line && !line.endsWith('kube-root-ca.crt'))).toEqual([]);
    expect(local.cluster.kubectl(['get', 'namespace', 'monitoring', '-o', 'name']).stdout.trim()).toBe('namespace/monitoring');
  }));
});
