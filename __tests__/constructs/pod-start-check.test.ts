import { JobV1 } from '@cdktf/provider-kubernetes/lib/job-v1';
import { Construct } from 'constructs';
import { PodStartCheck, PodStartCheckProps } from '../../constructs/pod-start-check';
import { Duration } from '../../inventory/duration';
import { resourcesOfType, StackJson, synthConstructs } from '../helpers/synth';

/** Two guarded Jobs named `names`, and the check in front of them. */
function synthCheck(names: readonly string[] = ['claude-oauth-token-restart-aaaaaaaaaa', 'claude-oauth-expiry-monitor-bbbbbbbbbb'], props: Partial<PodStartCheckProps> = {}): StackJson {
  return synthConstructs((scope: Construct) => {
    const guards = names.map((name, index) => new JobV1(scope, `guard-${index}`, { metadata: { name, namespace: 'claude-agent' }, spec: { template: { metadata: {}, spec: { container: [{ name: 'x', image: 'docker.io/library/node:22.20.0-alpine3.22' }] } } } }));
    new PodStartCheck(scope, 'check', { namespace: 'claude-agent', guards, ...props });
  });
}
const checkOf = (json: StackJson) => resourcesOfType(json, 'kubernetes_job_v1').find((job) => job.metadata.name.startsWith('claude-oauth-pod-start-check-'))!;

describe('PodStartCheck', () => {
  test('one restricted pod of the guarded image that only starts node, failing within its deadline; every guarded Job waits for it', () => {
    const json = synthCheck();
    const check = checkOf(json);
    expect(check.spec).toMatchObject({ backoff_limit: 0, active_deadline_seconds: 120 });
    expect(check).toMatchObject({ wait_for_completion: true, timeouts: { create: '150s', update: '150s' } });
    const pod = check.spec.template.spec;
    expect(pod).toMatchObject({ automount_service_account_token: false, restart_policy: 'Never', security_context: { run_as_non_root: true, seccomp_profile: { type: 'RuntimeDefault' } } });
    expect(pod.container[0]).toMatchObject({ image: 'docker.io/library/node:22.20.0-alpine3.22', command: ['node', '--version'], security_context: { allow_privilege_escalation: false, read_only_root_filesystem: true } });
    expect(pod.container[0].resources.limits).toEqual({ cpu: '100m', memory: '64Mi' });
    expect(check.lifecycle.ignore_changes).toContain('spec[0].template[0].spec[0].dns_config');
    const address = `kubernetes_job_v1.${Object.keys(json.resource!.kubernetes_job_v1).find((key) => key.startsWith('check_'))!}`;
    const guards = resourcesOfType(json, 'kubernetes_job_v1').filter((job) => job.metadata.name !== check.metadata.name);
    expect(guards).toHaveLength(2);
    for (const guard of guards) expect(guard.depends_on).toEqual([address]);
  });

  test('runs again whenever a guarded Job is new (its name follows theirs), and not otherwise', () => {
    const name = (names?: string[]) => checkOf(synthCheck(names)).metadata.name;
    expect(name()).toBe(name());
    expect(name(['claude-oauth-token-restart-cccccccccc', 'claude-oauth-expiry-monitor-bbbbbbbbbb'])).not.toBe(name());
    expect(name()).toMatch(/^claude-oauth-pod-start-check-[0-9a-f]{10}$/);
  });

  test('its timeout is the setting, between 30 seconds and 30 minutes', () => {
    expect(checkOf(synthCheck(undefined, { timeout: Duration.seconds(45) })).spec.active_deadline_seconds).toBe(45);
    expect(() => synthCheck(undefined, { timeout: Duration.seconds(10) })).toThrow(/timeout 10s must be between 30 seconds and 30 minutes/);
    expect(() => synthCheck(undefined, { timeout: Duration.hours(1) })).toThrow(/timeout 1h must be between 30 seconds and 30 minutes/);
    expect(() => synthCheck([])).toThrow(/guards is empty/);
  });
});
