import { JobV1 } from '@cdktf/provider-kubernetes/lib/job-v1';
import { createHash } from 'crypto';
import { dependable } from 'cdktf';
import { Construct } from 'constructs';
import { Duration } from '../inventory/duration';
import { DEFAULT_SCRIPT_IMAGE, POD_TEMPLATE_PATH, podTemplateIgnoreChanges } from '../settings/script-pods';
import { recommendedLabels } from './labels';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from './restricted-pod';

export interface PodStartCheckProps {
  readonly namespace: string;
  /** The Jobs the deploy runs: each waits for this check, and the check runs again whenever one of them is new. */
  readonly guards: readonly JobV1[];
  /**
   * The image the guarded Jobs run (fully qualified, pinned).
   * @default DEFAULT_SCRIPT_IMAGE
   */
  readonly image?: string;
  /** Pod-template fields mutating webhooks write, ignored by plans as on the guarded Jobs. */
  readonly ignoredPodTemplateFields?: readonly string[];
  /**
   * How long a pod of this project may take to be scheduled, pull its image and run.
   * @default Duration.minutes(2)
   */
  readonly timeout?: Duration;
}

/**
 * A deploy that cannot start a pod says so in minutes, not at the end of the longest Job's deadline
 * (16 minutes for the restart Job): a Job of one pod, the same image and security context as the
 * Jobs it guards, that only runs `node --version`, with a short deadline. When no pod can start
 * (no node, an image that cannot be pulled, admission refusing it, a quota) it fails first, the
 * apply stops with `job: <namespace>/claude-oauth-pod-start-check-… is in failed state`, and the
 * guarded Jobs are never created: nothing restarts the agents.
 */
export class PodStartCheck extends Construct {
  /** The Jobs a deploy runs, of those that may be off (a monitor without a deploy-time run, no restart). */
  static jobsOf(candidates: readonly (JobV1 | undefined)[]): JobV1[] {
    return candidates.filter((job): job is JobV1 => job !== undefined);
  }

  readonly job: JobV1;

  constructor(scope: Construct, id: string, props: PodStartCheckProps) {
    super(scope, id);
    const timeout = props.timeout ?? Duration.minutes(2);
    if (timeout.toSeconds() < 30 || timeout.toSeconds() > 1800) {
      throw new Error(`PodStartCheck: timeout ${timeout.toDurationString()} must be between 30 seconds and 30 minutes.`);
    }
    if (props.guards.length === 0) throw new Error('PodStartCheck: guards is empty; it checks pods for the Jobs a deploy runs.');
    const guardNames = props.guards.map((guard) => guard.metadataInput?.name ?? '');
    if (guardNames.includes('')) throw new Error('PodStartCheck: every guarded Job needs a literal name (it names the check).');
    const name = 'claude-oauth-pod-start-check';
    const labels = recommendedLabels(name, 'pod-start-check');
    const checksum = createHash('sha256').update(JSON.stringify(guardNames)).digest('hex').slice(0, 10);
    this.job = new JobV1(this, 'job', {
      metadata: { name: `${name}-${checksum}`, namespace: props.namespace, labels },
      spec: {
        backoffLimit: 0,
        activeDeadlineSeconds: timeout.toSeconds(),
        template: {
          metadata: { labels },
          spec: {
            automountServiceAccountToken: false,
            restartPolicy: 'Never',
            securityContext: restrictedPodSecurityContext(1000),
            container: [
              {
                name: 'start',
                image: props.image ?? DEFAULT_SCRIPT_IMAGE,
                command: ['node', '--version'],
                securityContext: restrictedContainerSecurityContext(),
                resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '64Mi' } },
              },
            ],
          },
        },
      },
      waitForCompletion: true,
      timeouts: { create: `${timeout.toSeconds() + 30}s`, update: `${timeout.toSeconds() + 30}s` },
      lifecycle: { ignoreChanges: podTemplateIgnoreChanges(POD_TEMPLATE_PATH.job, props.ignoredPodTemplateFields) },
    });
    for (const guard of props.guards) guard.dependsOn = [...(guard.dependsOn ?? []), dependable(this.job)];
  }
}
