import { createHash } from 'crypto';
import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
import { CronJobV1, CronJobV1SpecJobTemplateSpecTemplate } from '@cdktf/provider-kubernetes/lib/cron-job-v1';
import { JobV1 } from '@cdktf/provider-kubernetes/lib/job-v1';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import { Construct } from 'constructs';
import { Duration } from '../inventory/duration';
import { checkConfigMapData } from './kubernetes-limits';
import { recommendedLabels } from './labels';
import { ScriptBundle } from './script-bundle';
import { DEFAULT_SCRIPT_IMAGE, ignoredFieldProblem, POD_TEMPLATE_PATH, podTemplateIgnoreChanges, scriptImageProblem } from '../settings/script-pods';
import { ScriptVolume } from './script-volume';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from './restricted-pod';

/** CPU and memory of the container, in Kubernetes quantities. */
export interface ContainerResources {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu: string; readonly memory: string };
}

/** What every bundled-script CronJob may tune. */
export interface ScriptSchedulingProps {
  /**
   * A stock Node.js image, fully qualified and pinned to a tag or digest (the script is mounted,
   * not baked in).
   * @default DEFAULT_SCRIPT_IMAGE ('docker.io/library/node:22.20.0-alpine3.22')
   */
  readonly image?: string;
  /**
   * More pod-template fields that the cluster's mutating admission controllers write, for plans to
   * ignore (Terraform attribute paths relative to the pod template); `spec[0].dns_config` always is.
   * @default none beyond dnsConfig
   */
  readonly ignoredPodTemplateFields?: readonly string[];
  /**
   * User and group the container runs as (the image's `node` user).
   * @default 1000
   */
  readonly runAsUser?: number;
  /**
   * Requests and limits.
   * @default requests 10m CPU / 32Mi, limits 200m CPU / 128Mi
   */
  readonly resources?: ContainerResources;
  /**
   * How late a missed run may still start.
   * @default Duration.minutes(10)
   */
  readonly startingDeadline?: Duration;
  /**
   * How long one Job may run, retries included, before Kubernetes stops it.
   * @default Duration.minutes(5)
   */
  readonly activeDeadline?: Duration;
  /**
   * Pod retries of a failed Job.
   * @default 2
   */
  readonly backoffLimit?: number;
}

/** Only the scheduling fields of `props` (an owner's props carry its own fields too). */
export function schedulingOf(props: ScriptSchedulingProps): ScriptSchedulingProps {
  const { image, ignoredPodTemplateFields, runAsUser, resources, startingDeadline, activeDeadline, backoffLimit } = props;
  return { image, ignoredPodTemplateFields, runAsUser, resources, startingDeadline, activeDeadline, backoffLimit };
}

export interface BundledScriptCronJobProps extends ScriptSchedulingProps {
  /** Construct that owns this one, for error messages (e.g. `ExpiryMonitor`). */
  readonly owner: string;
  readonly namespace: string;
  /** Name of the CronJob, its ServiceAccount and (with `-script`) the script's ConfigMap. */
  readonly name: string;
  /** `app.kubernetes.io/component` label. */
  readonly component: string;
  /** The bundled script. */
  readonly bundle: ScriptBundle;
  /** File name of the script in its ConfigMap, e.g. `monitor.js`. */
  readonly scriptKey: string;
  /** 5-field cron schedule. */
  readonly schedule: string;
  readonly env: Readonly<Record<string, string>>;
  /** What the script reads, mounted read-only (the script's own ConfigMap is added). */
  readonly volumes: readonly ScriptVolume[];
  /**
   * The longest one run can take when everything it calls times out: `activeDeadline` must be longer,
   * or Kubernetes would stop a run that is still within its own timeouts.
   * @default no check
   */
  readonly worstCaseRun?: WorstCaseRun;
  /** Besides the script, what a run's outcome depends on (e.g. the expiry map), for the checksum. */
  readonly checksumInput: string;
  /**
   * Also run once as a Job whenever the script or `checksumInput` changes, and have `cdktf deploy`
   * wait for it.
   * @default false
   */
  readonly runOnDeploy?: boolean;
}

/** One run's worst case, and how to read it in an error. */
export interface WorstCaseRun {
  readonly milliseconds: number;
  /** How the worst case adds up, e.g. `4 pushes x 5s plus backoff = 23.5s`. */
  readonly breakdown: string;
  /** What to change when the deadline is too short. */
  readonly fix: string;
}

const DEFAULT_RESOURCES: ContainerResources = {
  requests: { cpu: '10m', memory: '32Mi' },
  limits: { cpu: '200m', memory: '128Mi' },
};
const CRON_FIELD = /^[\d*/,-]+$/;

/** Annotation whose value changes whenever the script or its input does, so every change shows in a plan. */
export const CHECKSUM_ANNOTATION = 'claude-oauth-tokens/checksum';

/**
 * A TypeScript program bundled at synth, shipped in a ConfigMap and run on a schedule in a stock Node
 * image under the restricted Pod Security Standard: the shape of both the expiry monitor and the probe.
 */
export class BundledScriptCronJob extends Construct {
  readonly name: string;
  /** The labels of every pod it runs (what a NetworkPolicy selects them by). */
  readonly podLabels: Readonly<Record<string, string>>;
  readonly scriptConfigMap: ConfigMapV1;
  readonly cronJob: CronJobV1;
  readonly deployRun?: JobV1;
  /** sha256 over the script and `checksumInput`, as annotated on the pod template. */
  readonly checksum: string;

  constructor(scope: Construct, id: string, props: BundledScriptCronJobProps) {
    super(scope, id);
    this.name = props.name;
    const image = props.image ?? DEFAULT_SCRIPT_IMAGE;
    const ignoredFields = props.ignoredPodTemplateFields ?? [];
    const runAsUser = props.runAsUser ?? 1000;
    const activeDeadline = props.activeDeadline ?? Duration.minutes(5);
    const backoffLimit = props.backoffLimit ?? 2;
    const fail = (message: string): never => {
      throw new Error(`${props.owner} '${this.name}': ${message}`);
    };
    const fields = props.schedule.trim().split(/\s+/);
    if (fields.length !== 5 || !fields.every((field) => CRON_FIELD.test(field))) {
      fail(`schedule '${props.schedule}' is not a 5-field cron expression of numbers, '*', '/', ',' and '-' (e.g. '0 */6 * * *').`);
    }
    const imageProblem = scriptImageProblem(image);
    if (imageProblem) fail(imageProblem);
    for (const field of ignoredFields) {
      const problem = ignoredFieldProblem(field);
      if (problem) fail(`ignoredPodTemplateFields: ${problem}`);
    }
    if (!Number.isInteger(runAsUser) || runAsUser <= 0) fail(`runAsUser ${runAsUser} must be a non-root user id (> 0).`);
    if (!Number.isInteger(backoffLimit) || backoffLimit < 0) fail(`backoffLimit ${backoffLimit} must be a whole number >= 0.`);
    const worstCase = props.worstCaseRun;
    if (worstCase && activeDeadline.toSeconds() * 1000 <= worstCase.milliseconds) {
      fail(`activeDeadline ${activeDeadline.toDurationString()} is not longer than one run's worst case (${worstCase.breakdown}): ${worstCase.fix}.`);
    }

    this.checksum = createHash('sha256').update(props.bundle.sha256).update(props.checksumInput).digest('hex');
    const labels = recommendedLabels(this.name, props.component);
    this.podLabels = labels;
    const scriptDir = `/opt/${this.name}`;
    const scriptData = { [props.scriptKey]: props.bundle.code };
    checkConfigMapData(`${props.owner} '${this.name}'`, `${this.name}-script`, scriptData, 'the bundled script is too large to mount: trim what lambda-src imports.');
    this.scriptConfigMap = new ConfigMapV1(this, 'script', {
      metadata: { name: `${this.name}-script`, namespace: props.namespace, labels },
      data: scriptData,
    });
    const serviceAccount = new ServiceAccountV1(this, 'service-account', {
      metadata: { name: this.name, namespace: props.namespace, labels },
      automountServiceAccountToken: false,
    });
    const resources = props.resources ?? DEFAULT_RESOURCES;
    const volumes = [ScriptVolume.fromConfigMap('script', scriptDir, this.scriptConfigMap.metadata.name), ...props.volumes];

    // One pod template for the schedule and the deploy-time run: the two can never drift apart.
    const podTemplate: CronJobV1SpecJobTemplateSpecTemplate = {
      metadata: { labels, annotations: { [CHECKSUM_ANNOTATION]: this.checksum } },
      spec: {
        serviceAccountName: serviceAccount.metadata.name,
        automountServiceAccountToken: false,
        restartPolicy: 'Never',
        securityContext: restrictedPodSecurityContext(runAsUser),
        container: [
          {
            name: props.component,
            image,
            command: ['node', `${scriptDir}/${props.scriptKey}`],
            env: Object.entries(props.env).map(([name, value]) => ({ name, value })),
            volumeMount: volumes.map((volume) => volume.volumeMount),
            securityContext: restrictedContainerSecurityContext(),
            resources: { requests: { ...resources.requests }, limits: { ...resources.limits } },
          },
        ],
        volume: volumes.map((volume) => volume.podVolume),
      },
    };

    this.cronJob = new CronJobV1(this, 'cron-job', {
      metadata: { name: this.name, namespace: props.namespace, labels },
      spec: {
        schedule: props.schedule,
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: (props.startingDeadline ?? Duration.minutes(10)).toSeconds(),
        successfulJobsHistoryLimit: 1,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: { labels },
          spec: { backoffLimit, activeDeadlineSeconds: activeDeadline.toSeconds(), template: podTemplate },
        },
      },
      lifecycle: { ignoreChanges: podTemplateIgnoreChanges(POD_TEMPLATE_PATH.cronJob, ignoredFields) },
    });

    if (props.runOnDeploy) {
      // Named by content, so a change of input or script replaces it (a new run) and an unchanged deploy
      // plans nothing. No ttlSecondsAfterFinished: a Job the cluster garbage-collects would show as
      // drift in every later plan and be re-created, re-running the script on every deploy.
      const timeout = `${activeDeadline.toSeconds() + 60}s`;
      this.deployRun = new JobV1(this, 'deploy-run', {
        metadata: { name: `${this.name}-${this.checksum.slice(0, 10)}`, namespace: props.namespace, labels },
        spec: { backoffLimit, activeDeadlineSeconds: activeDeadline.toSeconds(), template: podTemplate },
        waitForCompletion: true,
        timeouts: { create: timeout, update: timeout },
        // A mutated field would otherwise plan a replacement: a re-run on every deploy.
        lifecycle: { ignoreChanges: podTemplateIgnoreChanges(POD_TEMPLATE_PATH.job, ignoredFields) },
      });
    }
  }
}
