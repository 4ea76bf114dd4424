import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { Construct } from 'constructs';
import { TokenRecord } from '../inventory/token-inventory';
import {
  DEFAULT_PROBE_BETA,
  DEFAULT_PROBE_ENDPOINT,
  DEFAULT_PROBE_TIMEOUT_MS,
  DEFAULT_PUSH_ATTEMPTS,
  DEFAULT_PUSH_BACKOFF_MS,
  DEFAULT_PUSH_TIMEOUT_MS,
  MAX_PROBE_TIMEOUT_MS,
  ProbeEnv,
} from '../lambda-src/contract';
import { pushWorstCaseMs } from '../lambda-src/pushgateway';
import { probeEndpointProblem } from '../lambda-src/token-probe';
import { IPushgateway, Pushgateway } from './pushgateway';
import { BundledScriptCronJob, ScriptSchedulingProps, schedulingOf } from './bundled-script-cron-job';
import { Duration } from '../inventory/duration';
import { DEFAULT_SECRET_STORE, externalSecretManifest, OWNS_ITS_FIELDS, SecretStoreReference } from './external-secret-manifest';
import { ScriptBundle } from './script-bundle';
import { ScriptVolume } from './script-volume';

export interface TokenProbeProps extends ScriptSchedulingProps {
  /** The probe program, bundled from `lambda-src/probe-entry.ts` (`bundleScripts().probe`). */
  readonly bundle: ScriptBundle;
  /** Namespace of the probe (the agents'). */
  readonly namespace: string;
  /** Every token of the map: spares are checked before anyone promotes them. */
  readonly tokens: readonly Pick<TokenRecord, 'path' | 'vault'>[];
  /**
   * Where the probe pushes its own group (the monitoring stack's `pushgateway`).
   * @default Pushgateway.CHART_DEFAULT, 'http://prometheus-prometheus-pushgateway.monitoring:9091'
   */
  readonly pushgateway?: IPushgateway;
  /**
   * Name of the CronJob, its ServiceAccount, and (with `-tokens`) its ExternalSecret and Secret.
   * @default 'claude-oauth-token-probe'
   */
  readonly name?: string;
  /**
   * Cron schedule: every 6 hours, 3 hours after the expiry monitor.
   * @default '0 3-23/6 * * *'
   */
  readonly schedule?: string;
  /**
   * The endpoint asked with each token; https, or http on loopback only.
   * @default 'https://api.anthropic.com/api/oauth/profile'
   */
  readonly endpoint?: string;
  /**
   * The `anthropic-beta` header sent with each request.
   * @default 'oauth-2025-04-20'
   */
  readonly betaHeader?: string;
  /**
   * Timeout of each token's request.
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
  /**
   * The ESO store that reads the tokens.
   * @default ClusterSecretStore 'vault-backend'
   */
  readonly secretStore?: SecretStoreReference;
  /**
   * How often ESO re-reads the tokens.
   * @default Duration.hours(1)
   */
  readonly refreshInterval?: Duration;
}

const TOKEN_DIR = '/etc/claude-oauth-tokens';
export const DEFAULT_PROBE_NAME = 'claude-oauth-token-probe';
/** The probe's ExternalSecret (and Secret) is named after it. */
export const probeSecretName = (probeName: string) => `${probeName}-tokens`;

/**
 * The live token check: a CronJob of its own (the expiry monitor stays secret-free) that reads every
 * token of the map through its own ExternalSecret, mounted as files, asks an endpoint that spends no
 * usage whether each still works, and pushes the results to its own Pushgateway group. It needs
 * egress to the Anthropic API, which is why it is off unless asked for.
 */
export class TokenProbe extends Construct {
  readonly name: string;
  /** The CronJob, its script and ServiceAccount. */
  readonly job: BundledScriptCronJob;
  readonly externalSecret: Manifest;
  /** The labels of every pod it runs (what a NetworkPolicy selects them by). */
  readonly podLabels: Readonly<Record<string, string>>;
  /** Every URL the probe connects to: the endpoint and the Pushgateway. */
  readonly egressDestinations: readonly string[];

  constructor(scope: Construct, id: string, props: TokenProbeProps) {
    super(scope, id);
    this.name = props.name ?? DEFAULT_PROBE_NAME;
    const endpoint = props.endpoint ?? DEFAULT_PROBE_ENDPOINT;
    const pushgatewayUrl = (props.pushgateway ?? Pushgateway.CHART_DEFAULT).url;
    const timeout = props.timeout ?? Duration.seconds(DEFAULT_PROBE_TIMEOUT_MS / 1000);
    const fail = (message: string): never => {
      throw new Error(`TokenProbe '${this.name}': ${message}`);
    };
    const problem = probeEndpointProblem(endpoint);
    if (problem) fail(problem);
    if (props.tokens.length === 0) fail('no tokens given.');
    if (timeout.toSeconds() * 1000 > MAX_PROBE_TIMEOUT_MS) fail(`timeout ${timeout.toDurationString()} is longer than ${MAX_PROBE_TIMEOUT_MS / 1000}s.`);
    // Worst case of one run: every token's request times out, then every push does.
    const probeBudgetMs = props.tokens.length * timeout.toSeconds() * 1000;
    const pushBudgetMs = pushWorstCaseMs({ attempts: DEFAULT_PUSH_ATTEMPTS, timeoutMs: DEFAULT_PUSH_TIMEOUT_MS, backoffMs: DEFAULT_PUSH_BACKOFF_MS });
    const secretName = probeSecretName(this.name);

    // 'Default' keeps the job out of the Terraform addresses: they stay what they were when this
    // class extended BundledScriptCronJob, so an upgrade plans no replacement.
    this.job = new BundledScriptCronJob(this, 'Default', {
      ...schedulingOf(props),
      bundle: props.bundle,
      owner: 'TokenProbe',
      namespace: props.namespace,
      name: this.name,
      component: 'token-probe',
      scriptKey: 'probe.js',
      schedule: props.schedule ?? '0 3-23/6 * * *',
      env: {
        [ProbeEnv.tokenDir]: TOKEN_DIR,
        [ProbeEnv.pushgatewayUrl]: pushgatewayUrl,
        [ProbeEnv.timeoutMs]: String(timeout.toSeconds() * 1000),
        [ProbeEnv.endpoint]: endpoint,
        [ProbeEnv.betaHeader]: props.betaHeader ?? DEFAULT_PROBE_BETA,
      },
      volumes: [ScriptVolume.fromSecret('tokens', TOKEN_DIR, secretName)],
      worstCaseRun: {
        milliseconds: probeBudgetMs + pushBudgetMs,
        breakdown: `${props.tokens.length} tokens x ${timeout.toDurationString()} plus the push's ${pushBudgetMs / 1000}s = ${(probeBudgetMs + pushBudgetMs) / 1000}s`,
        fix: 'raise activeDeadline or lower the timeout',
      },
      checksumInput: JSON.stringify(props.tokens.map((token) => [token.path, token.vault.path])),
      runOnDeploy: false,
    });
    this.externalSecret = new Manifest(this, 'external-secret', {
      manifest: externalSecretManifest({
        owner: 'TokenProbe',
        name: secretName,
        namespace: props.namespace,
        component: 'token-probe',
        store: props.secretStore ?? DEFAULT_SECRET_STORE,
        refreshInterval: props.refreshInterval ?? Duration.hours(1),
        data: props.tokens.map((token) => ({ secretKey: token.path, key: token.vault.name, property: token.vault.field })),
      }),
      fieldManager: OWNS_ITS_FIELDS,
    });
    this.podLabels = this.job.podLabels;
    this.egressDestinations = [endpoint, pushgatewayUrl];
  }
}
