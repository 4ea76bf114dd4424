import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { Construct } from 'constructs';
import { recommendedLabels } from './labels';

/** A key of a Kubernetes Secret. */
export interface SecretKeyReference {
  readonly name: string;
  readonly key: string;
}

export interface KeepAlertSinkProps {
  /** Namespace of the AlertmanagerConfig; alerts must carry this `namespace` label (the rules add it). */
  readonly namespace: string;
  /** Keep's API base URL, e.g. `http://keep-backend.keep:8080`; `/alerts/event/prometheus` is appended. */
  readonly keepUrl: string;
  /** The Secret key holding Keep's API key, sent as the basic-auth password (user `api_key`, as Keep's Prometheus provider instructs). */
  readonly apiKeySecret: SecretKeyReference;
  /** The Secret key holding the basic-auth user name, i.e. the literal `api_key`. */
  readonly usernameSecret: SecretKeyReference;
  /**
   * Alert names routed to Keep (a regular expression).
   * @default 'ClaudeOAuthToken.*'
   */
  readonly alertNamePattern?: string;
  /**
   * Name of the AlertmanagerConfig.
   * @default 'claude-oauth-token-keep'
   */
  readonly name?: string;
}

/**
 * Routes these alerts to Keep, the older system's alert sink, through its Prometheus webhook
 * (firing and resolved). An AlertmanagerConfig (`monitoring.coreos.com/v1alpha1`).
 */
export class KeepAlertSink extends Construct {
  readonly resource: Manifest;

  constructor(scope: Construct, id: string, props: KeepAlertSinkProps) {
    super(scope, id);
    const name = props.name ?? 'claude-oauth-token-keep';
    if (!/^https?:\/\/[^\s/]+/.test(props.keepUrl)) {
      throw new Error(`KeepAlertSink '${name}': keepUrl '${props.keepUrl}' is not an http(s) URL (e.g. http://keep-backend.keep:8080).`);
    }
    this.resource = new Manifest(this, 'resource', {
      manifest: {
        apiVersion: 'monitoring.coreos.com/v1alpha1',
        kind: 'AlertmanagerConfig',
        metadata: { name, namespace: props.namespace, labels: recommendedLabels(name, 'alert-routing') },
        spec: {
          route: {
            receiver: 'keep',
            matchers: [{ name: 'alertname', matchType: '=~', value: props.alertNamePattern ?? 'ClaudeOAuthToken.*' }],
            groupBy: ['alertname', 'path'],
            groupWait: '30s',
            groupInterval: '5m',
            repeatInterval: '4h',
          },
          receivers: [
            {
              name: 'keep',
              webhookConfigs: [
                {
                  url: `${props.keepUrl.replace(/\/+$/, '')}/alerts/event/prometheus`,
                  sendResolved: true,
                  httpConfig: { basicAuth: { username: { ...props.usernameSecret }, password: { ...props.apiKeySecret } } },
                },
              ],
            },
          ],
        },
      },
    });
  }
}
