import { Duration } from '../inventory/duration';
import { AlertRecord } from './alert-record';

export interface SecretSyncAlertsProps {
  /** Namespace of the ExternalSecrets. */
  readonly namespace: string;
  /** The ExternalSecrets that deliver tokens. */
  readonly externalSecretNames: readonly string[];
  /**
   * How long an ExternalSecret may stay not Ready.
   * @default Duration.minutes(15)
   */
  readonly for?: Duration;
  /**
   * How long Prometheus may have no sync status at all for them before that is an alert of its own.
   * @default Duration.hours(1)
   */
  readonly unobservedFor?: Duration;
}

/**
 * A valid token that never reaches the pod is an outage too: alert on ESO's own
 * `externalsecret_status_condition` when a token ExternalSecret is not Ready.
 *
 * The metric carries the ExternalSecret's namespace in its own `namespace` label. Scraped with
 * `honor_labels: false` (ESO's chart default for its ServiceMonitor, and any target whose discovery adds
 * a `namespace` target label) Prometheus renames it `exported_namespace`, and `namespace` becomes ESO's
 * own; with `honor_labels: true` it stays `namespace`. The rule matches either shape, and never ESO's
 * own namespace mistaken for the ExternalSecret's.
 */
export function secretSyncAlerts(props: SecretSyncAlertsProps): AlertRecord[] {
  if (props.externalSecretNames.length === 0) throw new Error('secretSyncAlerts: no ExternalSecret names given.');
  const names = props.externalSecretNames.map((name) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\\\$&')).join('|');
  const notReady = `name=~"${names}",condition="Ready",status!="True"`;
  const renamed = `externalsecret_status_condition{exported_namespace="${props.namespace}",${notReady}}`;
  const honoured = `externalsecret_status_condition{namespace="${props.namespace}",exported_namespace="",${notReady}}`;
  const observed = `name=~"${names}",condition="Ready"`;
  const anyStatus = `externalsecret_status_condition{exported_namespace="${props.namespace}",${observed}} or externalsecret_status_condition{namespace="${props.namespace}",exported_namespace="",${observed}}`;
  const shownNames = props.externalSecretNames.map((name) => `${props.namespace}/${name}`).join(', ');
  return [
    {
      name: 'ClaudeOAuthTokenSecretSyncFailing',
      // By name only: the rule group's static `namespace` label (for Alertmanager routing) would replace the series' own.
      expr: `max by (name) (${renamed} or ${honoured}) == 1`,
      for: props.for ?? Duration.minutes(15),
      severity: 'critical',
      summary: `External Secrets Operator cannot deliver ExternalSecret ${props.namespace}/{{ $labels.name }} (a Claude Code OAuth token) from Vault.`,
      description:
        `ExternalSecret ${props.namespace}/{{ $labels.name }} has not been Ready for ${(props.for ?? Duration.minutes(15)).toDurationString()}: ` +
        'ESO cannot copy the token from Vault, so a rotation never reaches the pods (and pods that need the Secret cannot start).',
      runbookHeading: 'ClaudeOAuthTokenSecretSyncFailing',
      perToken: false,
    },
    {
      name: 'ClaudeOAuthTokenSecretSyncUnobserved',
      // Without ESO's metrics the alert above can never fire: say so instead of staying silent.
      expr: `absent(${anyStatus})`,
      for: props.unobservedFor ?? Duration.hours(1),
      severity: 'warning',
      summary: `Prometheus has no ESO sync status for ${shownNames}: ClaudeOAuthTokenSecretSyncFailing cannot fire.`,
      description:
        `No externalsecret_status_condition series for ${shownNames}: ESO's metrics are not scraped, or the scrape drops them. ` +
        'Enable ESO\'s metrics Service (metrics.service.enabled) and keep externalsecret_status_condition in any keep-list of the scrape job.',
      runbookHeading: 'ClaudeOAuthTokenSecretSyncUnobserved',
      perToken: false,
    },
  ];
}
