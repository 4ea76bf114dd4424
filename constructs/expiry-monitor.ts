import { createHash } from 'crypto';
import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
import { CronJobV1, CronJobV1SpecJobTemplateSpecTemplate } from '@cdktf/provider-kubernetes/lib/cron-job-v1';
import { JobV1 } from '@cdktf/provider-kubernetes/lib/job-v1';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import { Construct } from 'constructs';
import {
  DEFAULT_PUSH_ATTEMPTS,
  DEFAULT_PUSH_BACKOFF_MS,
  DEFAULT_PUSH_TIMEOUT_MS,
  DEFAULT_PUSHGATEWAY_URL,
  MonitorEnv,
} from '../lambda-src/contract';
import { Duration } from './duration';
import { recommendedLabels } from './labels';
import { bundleMonitor } from './monitor-bundle';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from './restricted-pod';
import { TokenExpiryConfigMap } from './token-expiry-config-map';

/** CPU and memory of the monitor's container, in Kubernetes quantities. */
export interface ContainerResources {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu: string; readonly memory: string };
}

export interface ExpiryMonitorProps {
  /** The expiry map to watch; the monitor runs in its namespace and mounts it. */
  readonly expiryConfigMap: TokenExpiryConfigMap;
  /**
   * Where the monitor pushes (from the monitoring stack's Pushgateway wiring).
   * @default 'http://prometheus-prometheus-pushgateway.monitoring:9091'
   */
  readonly pushgatewayUrl?: string;
  /**
   * Name of the CronJob, its ServiceAccount and (with `-script`) the script's ConfigMap.
   * @default 'claude-oauth-expiry-monitor'
   */
  readonly name?: string;
  /**
   * Cron schedule, in the cluster's time zone. Must run well inside the stale alert's 48 h.
   * @default '0 *\/6 * * *' (every 6 hours)
   */
  readonly schedule?: string;
  /**
   * A stock Node.js image, pinned to a tag (the script is mounted, not baked in).
   * @default 'node:22.20.0-alpine3.22'
   */
  readonly image?: string;
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
  /**
   * Timeout of one push request.
   * @default Duration.seconds(5)
   */
  readonly pushTimeout?: Duration;
  /**
   * Push tries per run (retried on connection errors and 5xx, with doubling backoff from 0.5 s).
   * @default 4
   */
  readonly pushAttempts?: number;
  /**
   * Also run the monitor once as a Job whenever the map or the script changes, and make
   * `cdktf deploy` wait for it: a failed push fails the deploy, and the alert clears minutes after a
   * rotation instead of at the next scheduled run.
   * @default true
   */
  readonly runOnDeploy?: boolean;
}

const DEFAULT_RESOURCES: ContainerResources = {
  requests: { cpu: '10m', memory: '32Mi' },
  limits: { cpu: '200m', memory: '128Mi' },
};
const SCRIPT_DIR = '/opt/claude-oauth-expiry-monitor';
const SCRIPT_KEY = 'monitor.js';
const EXPIRY_DIR = '/etc/claude-oauth-token-expiry';
const CRON_FIELD = /^[\d*/,-]+$/;

/** Annotation whose value changes whenever the script or the map does, so every change shows in a plan. */
export const CHECKSUM_ANNOTATION = 'claude-oauth-tokens/checksum';

/**
 * The expiry monitor: a CronJob that runs the bundled lambda-src script in a stock Node image,
 * reads the mounted expiry ConfigMap and pushes the expiry metrics. It never sees a token: it
 * mounts no Secret and its pod gets no service-account token.
 */
export class ExpiryMonitor extends Construct {
  readonly name: string;
  readonly scriptConfigMap: ConfigMapV1;
  readonly cronJob: CronJobV1;
  /** The deploy-time run, when `runOnDeploy` is on. */
  readonly deployRun?: JobV1;
  /** sha256 over the script and the expiry map, as annotated on the pod template. */
  readonly checksum: string;

  constructor(scope: Construct, id: string, props: ExpiryMonitorProps) {
    super(scope, id);
    this.name = props.name ?? 'claude-oauth-expiry-monitor';
    const namespace = props.expiryConfigMap.namespace;
    const schedule = props.schedule ?? '0 */6 * * *';
    const image = props.image ?? 'node:22.20.0-alpine3.22';
    const pushgatewayUrl = props.pushgatewayUrl ?? DEFAULT_PUSHGATEWAY_URL;
    const runAsUser = props.runAsUser ?? 1000;
    const activeDeadline = props.activeDeadline ?? Duration.minutes(5);
    const startingDeadline = props.startingDeadline ?? Duration.minutes(10);
    const backoffLimit = props.backoffLimit ?? 2;
    const pushTimeout = props.pushTimeout ?? Duration.seconds(DEFAULT_PUSH_TIMEOUT_MS / 1000);
    const pushAttempts = props.pushAttempts ?? DEFAULT_PUSH_ATTEMPTS;
    const fail = (message: string): never => {
      throw new Error(`ExpiryMonitor '${this.name}': ${message}`);
    };

    const fields = schedule.trim().split(/\s+/);
    if (fields.length !== 5 || !fields.every((field) => CRON_FIELD.test(field))) {
      fail(`schedule '${schedule}' is not a 5-field cron expression of numbers, '*', '/', ',' and '-' (e.g. '0 */6 * * *').`);
    }
    const imageName = image.slice(image.lastIndexOf('/') + 1);
    const pinned = /@sha256:[a-f0-9]{64}$/.test(image) || (/^[^:@\s]+:\w[\w.-]*$/.test(imageName) && !imageName.endsWith(':latest'));
    if (!pinned) {
      fail(`image '${image}' must be pinned to a tag or digest other than 'latest' (e.g. 'node:22.20.0-alpine3.22').`);
    }
    if (!/^https?:\/\/[^\s/]+/.test(pushgatewayUrl)) {
      fail(`pushgatewayUrl '${pushgatewayUrl}' is not an http(s) URL.`);
    }
    if (!Number.isInteger(runAsUser) || runAsUser <= 0) fail(`runAsUser ${runAsUser} must be a non-root user id (> 0).`);
    if (!Number.isInteger(pushAttempts) || pushAttempts < 1) fail(`pushAttempts ${pushAttempts} must be a whole number >= 1.`);
    if (!Number.isInteger(backoffLimit) || backoffLimit < 0) fail(`backoffLimit ${backoffLimit} must be a whole number >= 0.`);
    // Worst case of one run: every try times out, with the doubling waits between them.
    const pushBudgetMs = pushAttempts * pushTimeout.toSeconds() * 1000 + DEFAULT_PUSH_BACKOFF_MS * (2 ** (pushAttempts - 1) - 1);
    if (activeDeadline.toSeconds() * 1000 <= pushBudgetMs) {
      fail(
        `activeDeadline ${activeDeadline.toDurationString()} is not longer than one run's worst case ` +
          `(${pushAttempts} pushes x ${pushTimeout.toDurationString()} plus backoff = ${pushBudgetMs / 1000}s): raise it or lower pushAttempts.`,
      );
    }

    const bundle = bundleMonitor();
    this.checksum = createHash('sha256')
      .update(bundle.sha256)
      .update(JSON.stringify(props.expiryConfigMap.data))
      .digest('hex');
    const labels = recommendedLabels(this.name, 'expiry-monitor');

    this.scriptConfigMap = new ConfigMapV1(this, 'script', {
      metadata: { name: `${this.name}-script`, namespace, labels },
      data: { [SCRIPT_KEY]: bundle.code },
    });
    const serviceAccount = new ServiceAccountV1(this, 'service-account', {
      metadata: { name: this.name, namespace, labels },
      automountServiceAccountToken: false,
    });
    const resources = props.resources ?? DEFAULT_RESOURCES;
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
            name: 'monitor',
            image,
            command: ['node', `${SCRIPT_DIR}/${SCRIPT_KEY}`],
            env: [
              { name: MonitorEnv.expiryDir, value: EXPIRY_DIR },
              { name: MonitorEnv.pushgatewayUrl, value: pushgatewayUrl },
              { name: MonitorEnv.pushTimeoutMs, value: String(pushTimeout.toSeconds() * 1000) },
              { name: MonitorEnv.pushAttempts, value: String(pushAttempts) },
            ],
            volumeMount: [
              { name: 'script', mountPath: SCRIPT_DIR, readOnly: true },
              { name: 'token-expiry', mountPath: EXPIRY_DIR, readOnly: true },
            ],
            securityContext: restrictedContainerSecurityContext(),
            resources: { requests: { ...resources.requests }, limits: { ...resources.limits } },
          },
        ],
        volume: [
          { name: 'script', configMap: { name: this.scriptConfigMap.metadata.name, defaultMode: '0444' } },
          { name: 'token-expiry', configMap: { name: props.expiryConfigMap.resource.metadata.name, defaultMode: '0444' } },
        ],
      },
    };

    this.cronJob = new CronJobV1(this, 'cron-job', {
      metadata: { name: this.name, namespace, labels },
      spec: {
        schedule,
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: startingDeadline.toSeconds(),
        successfulJobsHistoryLimit: 1,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: { labels },
          spec: {
            backoffLimit,
            activeDeadlineSeconds: activeDeadline.toSeconds(),
            template: podTemplate,
          },
        },
      },
    });

    if (props.runOnDeploy !== false) {
      // Named by content, so a change of map or script replaces it (a new run) and an unchanged deploy
      // plans nothing. No ttlSecondsAfterFinished: a Job the cluster garbage-collects would show as
      // drift in every later plan and be re-created, re-running the monitor on every deploy.
      this.deployRun = new JobV1(this, 'deploy-run', {
        metadata: { name: `${this.name}-${this.checksum.slice(0, 10)}`, namespace, labels },
        spec: { backoffLimit, activeDeadlineSeconds: activeDeadline.toSeconds(), template: podTemplate },
        waitForCompletion: true,
        timeouts: { create: `${activeDeadline.toSeconds() + 60}s`, update: `${activeDeadline.toSeconds() + 60}s` },
      });
    }
  }
}
