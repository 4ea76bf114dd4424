import { Construct } from 'constructs';
import {
  DEFAULT_PUSH_ATTEMPTS,
  DEFAULT_PUSH_BACKOFF_MS,
  DEFAULT_PUSH_TIMEOUT_MS,
  DEFAULT_VAULT_TIMEOUT_MS,
  DriftEnv,
  MAX_PUSH_ATTEMPTS,
  MAX_PUSH_TIMEOUT_MS,
  MONITOR_VAULT_ROLE,
  MonitorEnv,
  VAULT_TOKEN_AUDIENCE,
} from '../lambda-src/contract';
import { VaultKvLayout } from '../inventory/vault-location';
import { pushWorstCaseMs } from '../lambda-src/pushgateway';
import { plainHttpOffCluster } from '../lambda-src/http-request';
import { IPushgateway, Pushgateway } from './pushgateway';
import { BundledScriptCronJob, ScriptSchedulingProps, schedulingOf } from './bundled-script-cron-job';
import { Duration } from '../inventory/duration';
import { ScriptBundle } from './script-bundle';
import { ScriptVolume } from './script-volume';
import { TokenExpiryConfigMap } from './token-expiry-config-map';
import { VAULT_AUTH_MOUNT } from '../settings/object-names';

export { CHECKSUM_ANNOTATION } from './bundled-script-cron-job';
export type { ContainerResources } from './bundled-script-cron-job';

export interface ExpiryMonitorProps extends ScriptSchedulingProps {
  /** The monitor program, bundled from `lambda-src/index.ts` (`bundleScripts().monitor`). */
  readonly bundle: ScriptBundle;
  /** The expiry map to watch; the monitor runs in its namespace and mounts it. */
  readonly expiryConfigMap: TokenExpiryConfigMap;
  /**
   * Where the monitor pushes (the monitoring stack's `pushgateway`).
   * @default Pushgateway.CHART_DEFAULT, 'http://prometheus-prometheus-pushgateway.monitoring:9091'
   */
  readonly pushgateway?: IPushgateway;
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
  /**
   * Also read when each token secret was last written in Vault (KV v2 metadata, never the token), to
   * catch a rotation that skipped the map. The monitor logs in with a projected ServiceAccount token.
   * @default off
   */
  readonly driftDetection?: MonitorDriftDetection;
}

/** Where and how the monitor reads Vault metadata. */
export interface MonitorDriftDetection {
  /** Vault's address from inside the cluster, e.g. `https://vault.vault:8200`. */
  readonly vaultAddress: string;
  /** Where the tokens live: the inventory's `vaultLayout`, so the monitor reads what the map describes. */
  readonly layout: Required<VaultKvLayout>;
  /** Mount path of Vault's Kubernetes auth method. @default 'kubernetes' */
  readonly authMount?: string;
  /** Audience of the projected ServiceAccount token the monitor presents; its Vault role requires it. @default 'vault' */
  readonly audience?: string;
  /** Timeout of each Vault request. @default Duration.seconds(5) */
  readonly timeout?: Duration;
}

const EXPIRY_DIR = '/etc/claude-oauth-token-expiry';
const VAULT_TOKEN_DIR = '/var/run/secrets/vault';

/**
 * The expiry monitor: a CronJob that runs the bundled lambda-src script in a stock Node image,
 * reads the mounted expiry ConfigMap and pushes the expiry metrics. It never sees a token: it
 * mounts no Secret and its pod gets no service-account token.
 */
export class ExpiryMonitor extends Construct {
  readonly name: string;
  /** The CronJob, its script, ServiceAccount and deploy-time run. */
  readonly job: BundledScriptCronJob;
  /** The labels of every pod it runs (what a NetworkPolicy selects them by). */
  readonly podLabels: Readonly<Record<string, string>>;
  /** Every URL the monitor connects to: the Pushgateway, and Vault with drift detection. */
  readonly egressDestinations: readonly string[];

  constructor(scope: Construct, id: string, props: ExpiryMonitorProps) {
    super(scope, id);
    this.name = props.name ?? 'claude-oauth-expiry-monitor';
    const pushgatewayUrl = (props.pushgateway ?? Pushgateway.CHART_DEFAULT).url;
    const pushTimeout = props.pushTimeout ?? Duration.seconds(DEFAULT_PUSH_TIMEOUT_MS / 1000);
    const pushAttempts = props.pushAttempts ?? DEFAULT_PUSH_ATTEMPTS;
    const fail = (message: string): never => {
      throw new Error(`ExpiryMonitor '${this.name}': ${message}`);
    };
    if (!Number.isInteger(pushAttempts) || pushAttempts < 1 || pushAttempts > MAX_PUSH_ATTEMPTS) fail(`pushAttempts ${pushAttempts} must be a whole number from 1 to ${MAX_PUSH_ATTEMPTS}.`);
    if (pushTimeout.toSeconds() * 1000 > MAX_PUSH_TIMEOUT_MS) fail(`pushTimeout ${pushTimeout.toDurationString()} is longer than ${MAX_PUSH_TIMEOUT_MS / 1000}s.`);
    const drift = props.driftDetection;
    if (drift && !/^https?:\/\/[^\s/]+/.test(drift.vaultAddress)) fail(`driftDetection.vaultAddress '${drift.vaultAddress}' is not an http(s) URL.`);
    if (drift && plainHttpOffCluster(drift.vaultAddress)) {
      fail(
        `driftDetection.vaultAddress '${drift.vaultAddress}' is plain http outside the cluster: the monitor would send its ServiceAccount token in clear across the network. ` +
          "Use https, or, for an in-cluster Vault without TLS, its Service's cluster-local name (e.g. 'http://vault-active.vault.svc.cluster.local:8200').",
      );
    }
    const vaultTimeout = drift?.timeout ?? Duration.seconds(DEFAULT_VAULT_TIMEOUT_MS / 1000);
    // Worst case of one run: every push times out, with the doubling waits between them, after a
    // login and one metadata read per token that each time out too.
    const tokenCount = Object.keys(props.expiryConfigMap.data).length;
    const vaultBudgetMs = drift ? (1 + tokenCount) * vaultTimeout.toSeconds() * 1000 : 0;
    const pushBudgetMs = pushWorstCaseMs({ attempts: pushAttempts, timeoutMs: pushTimeout.toSeconds() * 1000, backoffMs: DEFAULT_PUSH_BACKOFF_MS });

    // 'Default' keeps the job out of the Terraform addresses: they stay what they were when this
    // class extended BundledScriptCronJob, so an upgrade plans no replacement.
    this.job = new BundledScriptCronJob(this, 'Default', {
      ...schedulingOf(props),
      bundle: props.bundle,
      owner: 'ExpiryMonitor',
      name: this.name,
      namespace: props.expiryConfigMap.namespace,
      component: 'expiry-monitor',
      scriptKey: 'monitor.js',
      schedule: props.schedule ?? '0 */6 * * *',
      env: {
        [MonitorEnv.expiryDir]: EXPIRY_DIR,
        [MonitorEnv.pushgatewayUrl]: pushgatewayUrl,
        [MonitorEnv.pushTimeoutMs]: String(pushTimeout.toSeconds() * 1000),
        [MonitorEnv.pushAttempts]: String(pushAttempts),
        ...(drift
          ? {
              [DriftEnv.vaultAddr]: drift.vaultAddress,
              [DriftEnv.role]: MONITOR_VAULT_ROLE,
              [DriftEnv.authMount]: drift.authMount ?? VAULT_AUTH_MOUNT,
              [DriftEnv.kvMount]: drift.layout.mount,
              [DriftEnv.baseName]: drift.layout.baseName,
              [DriftEnv.spareSeparator]: drift.layout.spareSeparator,
              [DriftEnv.jwtFile]: `${VAULT_TOKEN_DIR}/token`,
              [DriftEnv.timeoutMs]: String(vaultTimeout.toSeconds() * 1000),
            }
          : {}),
      },
      volumes: [
        ScriptVolume.fromConfigMap('token-expiry', EXPIRY_DIR, props.expiryConfigMap.resource.metadata.name),
        ...(drift ? [ScriptVolume.fromServiceAccountToken('vault-token', VAULT_TOKEN_DIR, { audience: drift.audience ?? VAULT_TOKEN_AUDIENCE, expiration: Duration.minutes(10) })] : []),
      ],
      worstCaseRun: {
        milliseconds: pushBudgetMs + vaultBudgetMs,
        breakdown:
          `${pushAttempts} pushes x ${pushTimeout.toDurationString()} plus backoff = ${pushBudgetMs / 1000}s` +
          `${drift ? `, plus ${1 + tokenCount} Vault requests x ${vaultTimeout.toDurationString()}` : ''}`,
        fix: 'raise it or lower pushAttempts',
      },
      checksumInput: JSON.stringify(props.expiryConfigMap.data),
      runOnDeploy: props.runOnDeploy !== false,
    });
    this.podLabels = this.job.podLabels;
    this.egressDestinations = [pushgatewayUrl, ...(drift ? [drift.vaultAddress] : [])];
  }
}
