import * as path from 'path';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { Construct } from 'constructs';
import { TokenRecord } from '../inventory/token-inventory';
import { DEFAULT_PUSHGATEWAY_URL, ProbeEnv } from '../lambda-src/contract';
import { DEFAULT_PROBE_BETA, DEFAULT_PROBE_ENDPOINT, probeEndpointProblem } from '../lambda-src/token-probe';
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

  constructor(scope: Construct, id: string, props: TokenProbeProps) {
    const name = props.name ?? DEFAULT_PROBE_NAME;
    const endpoint = props.endpoint ?? DEFAULT_PROBE_ENDPOINT;
    const problem = probeEndpointProblem(endpoint);
    if (problem) throw new Error(`TokenProbe '${name}': ${problem}`);
    if (props.tokens.length === 0) throw new Error(`TokenProbe '${name}': no tokens given.`);
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
        [ProbeEnv.pushgatewayUrl]: props.pushgatewayUrl ?? DEFAULT_PUSHGATEWAY_URL,
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
  }
}
