import { installAdmissionWebhooks, NDOTS_MUTATION, PodTemplateMutation } from '../../devkit/cluster/admission';
import { startKwok } from '../../devkit/cluster/kwok';
import { LocalCluster } from '../../devkit/cluster/local-cluster';
import { RunOutcome } from '../../devkit/cluster/processes';

/**
 * Step 3 of a first install, for real: the agents' stack applied to a control plane with a scheduler
 * and KWOK (the kubelet's stand-in: pods turn Ready, a Job's pods Succeeded, no container runs) behind
 * admission webhooks that mutate every pod template and refuse unqualified images, as Kyverno does on
 * the cluster this project was made for; then an empty re-plan, and a destroy that leaves the rest.
 */
const TOLERATION_MUTATION: PodTemplateMutation = { field: 'tolerations', value: [{ key: 'example.com/dedicated', operator: 'Exists', effect: 'NoSchedule' }] };
const STACK = 'claude-agent-service';
const LABEL = 'app.kubernetes.io/part-of=claude-oauth-tokens';

describe('the agents’ stack on a policy-enforcing cluster with KWOK', () => {
  let local: LocalCluster;
  const outcome = new RunOutcome();
  /** What this project placed in the agents' namespace, a content-named Job's checksum shown as <checksum>. */
  const objects = () =>
    local.cluster
      .kubectl(['get', 'configmaps,cronjobs,jobs,serviceaccounts,roles,rolebindings,externalsecrets', '-n', 'claude-agent', '-l', LABEL, '-o', 'name'])
      .stdout.split('\n')
      .filter((line) => line !== '')
      .map((line) => line.replace(/-[0-9a-f]{10}$/, '-<checksum>'))
      .sort();

  beforeAll(outcome.track(async () => {
    local = await LocalCluster.start({ scheduler: true });
    await startKwok(local.cluster);
    await local.installPrerequisites();
    await installAdmissionWebhooks(local.cluster, [NDOTS_MUTATION, TOLERATION_MUTATION]);
    // The agents, and an object of someone else's in the same namespace: destroy must leave both.
    local.cluster.kubectl(['create', 'deployment', 'claude-agent-service', '-n', 'claude-agent', '--image=docker.io/library/busybox:1.36']);
    local.cluster.kubectl(['create', 'configmap', 'someone-elses', '-n', 'claude-agent', '--from-literal=keep=me']);
    local.synth({ ignoredPodTemplateFields: ['spec[0].toleration'] });
    await local.tofuOk(STACK, ['init', '-input=false']);
  }), 300_000);

  afterAll(async () => {
    if (outcome.failed) local?.keepForInspection();
    await local?.stop();
  }, 60_000);

  test('the webhooks are live: an unqualified image is refused, and a pod template gets both mutations', outcome.track(() => {
    const refused = local.cluster.kubectl(['create', 'deployment', 'unqualified', '-n', 'claude-agent', '--image=busybox:1.36'], { allowFailure: true });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/require-trusted-registries: image 'busybox:1.36' names no registry host/);
    const agents = JSON.parse(local.cluster.kubectl(['get', 'deployment', 'claude-agent-service', '-n', 'claude-agent', '-o', 'json']).stdout) as { spec: { template: { spec: Record<string, unknown> } } };
    expect(agents.spec.template.spec).toMatchObject({ dnsConfig: NDOTS_MUTATION.value, tolerations: TOLERATION_MUTATION.value });
  }));

  test('the install applies: every object exists and every Job completed', outcome.track(async () => {
    const apply = await local.tofuOk(STACK, ['apply', '-input=false', '-auto-approve']);
    expect(apply.stdout).toMatch(/Apply complete! Resources: 13 added, 0 changed, 0 destroyed/);
    expect(objects()).toEqual([
      'configmap/claude-oauth-expiry-monitor-script',
      'configmap/claude-oauth-token-expiry',
      'configmap/claude-oauth-token-restart-script',
      'cronjob.batch/claude-oauth-expiry-monitor',
      'externalsecret.external-secrets.io/claude-credentials',
      'externalsecret.external-secrets.io/claude-oauth-token',
      'job.batch/claude-oauth-expiry-monitor-<checksum>',
      'job.batch/claude-oauth-pod-start-check-<checksum>',
      'job.batch/claude-oauth-token-restart-<checksum>',
      'role.rbac.authorization.k8s.io/claude-oauth-token-restart',
      'rolebinding.rbac.authorization.k8s.io/claude-oauth-token-restart',
      'serviceaccount/claude-oauth-expiry-monitor',
      'serviceaccount/claude-oauth-token-restart',
    ]);
    const jobs = JSON.parse(local.cluster.kubectl(['get', 'jobs', '-n', 'claude-agent', '-l', LABEL, '-o', 'json']).stdout) as { items: { spec: { template: { spec: Record<string, unknown> } }; status: { succeeded?: number } }[] };
    expect(jobs.items.map((job) => job.status.succeeded)).toEqual([1, 1, 1]);
    // Admission wrote into the pod templates what Terraform then must not fight over.
    for (const job of jobs.items) expect(job.spec.template.spec).toMatchObject({ dnsConfig: NDOTS_MUTATION.value, tolerations: TOLERATION_MUTATION.value });
  }));

  test('right after, the plan is empty despite both mutations', outcome.track(async () => {
    const replan = await local.tofu(STACK, ['plan', '-input=false', '-detailed-exitcode']);
    expect({ status: replan.status, stderr: replan.stderr }).toEqual({ status: 0, stderr: '' });
  }));

  test('without the second mutation in ignoredPodTemplateFields, the plan would replace the Jobs (so the setting is what keeps it empty)', outcome.track(async () => {
    local.synth({ ignoredPodTemplateFields: [] });
    const replan = await local.tofu(STACK, ['plan', '-input=false', '-detailed-exitcode']);
    expect(replan.status).toBe(2);
    expect(replan.stdout).toMatch(/kubernetes_job_v1\.[\w-]+ must be replaced/);
    expect(replan.stdout).toMatch(/toleration/);
    local.synth({ ignoredPodTemplateFields: ['spec[0].toleration'] });
    expect((await local.tofu(STACK, ['plan', '-input=false', '-detailed-exitcode'])).status).toBe(0);
  }));

  test('destroy removes what this project created and nothing else', outcome.track(async () => {
    await local.tofuOk(STACK, ['destroy', '-input=false', '-auto-approve']);
    expect(objects()).toEqual([]);
    expect(local.cluster.kubectl(['get', 'configmap', 'someone-elses', '-n', 'claude-agent', '-o', 'jsonpath={.data.keep}']).stdout).toBe('me');
    expect(local.cluster.kubectl(['get', 'deployment', 'claude-agent-service', '-n', 'claude-agent', '-o', 'name']).stdout.trim()).toBe('deployment.apps/claude-agent-service');
    expect(local.cluster.kubectl(['get', 'namespace', 'claude-agent', '-o', 'name']).stdout.trim()).toBe('namespace/claude-agent');
  }));
});
