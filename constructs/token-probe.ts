import * as path from 'path';
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
  DEFAULT_PUSHGATEWAY_URL,
  MAX_PROBE_TIMEOUT_MS,
  ProbeEnv,
} from '../lambda-src/contract';
import { pushWorstCaseMs } from '../lambda-src/pushgateway';
import { probeEndpointProblem } from '../lambda-src/token-probe';
import { BundledScriptCronJob, ScriptSchedulingProps } from './bundled-script-cron-job';
import { Duration } from './duration';
import { DEFAULT_SECRET_STORE, externalSecretManifest, SecretStoreReference } from './external-secret-manifest';
import { bundleScript } from './script-bundle';

export const PROBE_ENTRY_POINT = path.resolve(__dirname, '..', 'lambda-src', 'probe-entry.ts');

export interface TokenProbeProps extends ScriptSchedulingProps {
  /** Namespace of the probe (the agents'). */
  readonly namespace: string;
  /** Every token of the map: spares are checked before anyone promotes them. */
  readonly tokens: readonly Pick<TokenRecord, 'path' | 'vault'>[];
  /**
   * Where the probe pushes its own group.
   * @default 'http://prometheus-prometheus-pushgateway.monitoring:9091'
   */
  readonly pushgatewayUrl?: string;
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
export class TokenProbe extends BundledScriptCronJob {
  readonly externalSecret: Manifest;
  /** Every URL the probe connects to: the endpoint and the Pushgateway. */
  readonly egressDestinations: readonly string[];

  constructor(scope: Construct, id: string, props: TokenProbeProps) {
    const name = props.name ?? DEFAULT_PROBE_NAME;
    const endpoint = props.endpoint ?? DEFAULT_PROBE_ENDPOINT;
    const pushgatewayUrl = props.pushgatewayUrl ?? DEFAULT_PUSHGATEWAY_URL;
    const timeout = props.timeout ?? Duration.seconds(DEFAULT_PROBE_TIMEOUT_MS / 1000);
    const activeDeadline = props.activeDeadline ?? Duration.minutes(5);
    const fail = (message: string): never => {
      throw new Error(`TokenProbe '${name}': ${message}`);
    };
    const problem = probeEndpointProblem(endpoint);
    if (problem) fail(problem);
    if (props.tokens.length === 0) fail('no tokens given.');
    if (timeout.toSeconds() * 1000 > MAX_PROBE_TIMEOUT_MS) fail(`timeout ${timeout.toDurationString()} is longer than ${MAX_PROBE_TIMEOUT_MS / 1000}s.`);
    // Worst case of one run: every token's request times out, then every push does.
    const probeBudgetMs = props.tokens.length * timeout.toSeconds() * 1000;
    const pushBudgetMs = pushWorstCaseMs({ attempts: DEFAULT_PUSH_ATTEMPTS, timeoutMs: DEFAULT_PUSH_TIMEOUT_MS, backoffMs: DEFAULT_PUSH_BACKOFF_MS });
    if (activeDeadline.toSeconds() * 1000 <= probeBudgetMs + pushBudgetMs) {
      fail(
        `activeDeadline ${activeDeadline.toDurationString()} is not longer than one run's worst case ` +
          `(${props.tokens.length} tokens x ${timeout.toDurationString()} plus the push's ${pushBudgetMs / 1000}s = ${(probeBudgetMs + pushBudgetMs) / 1000}s): ` +
          'raise activeDeadline or lower the timeout.',
      );
    }
    const secretName = probeSecretName(name);
    super(scope, id, {
      ...props,
      owner: 'TokenProbe',
      name,
      component: 'token-probe',
      bundle: bundleScript(PROBE_ENTRY_POINT),
      scriptKey: 'probe.js',
      schedule: props.schedule ?? '0 3-23/6 * * *',
      env: {
        [ProbeEnv.tokenDir]: TOKEN_DIR,
        [ProbeEnv.pushgatewayUrl]: pushgatewayUrl,
        [ProbeEnv.timeoutMs]: String(timeout.toSeconds() * 1000),
        [ProbeEnv.endpoint]: endpoint,
        [ProbeEnv.betaHeader]: props.betaHeader ?? DEFAULT_PROBE_BETA,
      },
      volumes: [{ name: 'tokens', mountPath: TOKEN_DIR, secretName }],
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
    });
    this.egressDestinations = [endpoint, pushgatewayUrl];
  }
}
