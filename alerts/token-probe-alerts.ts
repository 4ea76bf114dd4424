import { Duration } from '../inventory/duration';
import { PATH_LABEL, ProbeMetrics, REASON_LABEL, RESULT_LABEL } from '../lambda-src/contract';
import { AlertRecord } from './alert-record';

export interface TokenProbeAlertsProps {
  /**
   * How long a rejection must persist before paging.
   * @default Duration.minutes(5)
   */
  readonly rejectedFor?: Duration;
  /**
   * How long the API may stay unreachable or unclear before a warning: long, so that an API outage
   * does not page anyone at night.
   * @default Duration.hours(24)
   */
  readonly unknownFor?: Duration;
}

/** The live check's alerts: a token the API refuses, and a check that cannot tell. */
export function tokenProbeAlerts(props: TokenProbeAlertsProps = {}): AlertRecord[] {
  const result = (value: string) => `max by (${PATH_LABEL}) (${ProbeMetrics.result.name}{${RESULT_LABEL}="${value}"}) == 1`;
  const reasonOfThisPath = `max by (${PATH_LABEL}, ${REASON_LABEL}) (${ProbeMetrics.reason.name}{${PATH_LABEL}=%q})`;
  const reason = `{{ with printf "${reasonOfThisPath}" $labels.${PATH_LABEL} | query }}{{ . | first | label "${REASON_LABEL}" }}{{ end }}`;
  const token = `Claude Code OAuth token "{{ $labels.${PATH_LABEL} }}"`;
  return [
    {
      name: 'ClaudeOAuthTokenRejected',
      expr: result('rejected'),
      for: props.rejectedFor ?? Duration.minutes(5),
      severity: 'critical',
      summary: `The Anthropic API rejects ${token}.`,
      description: `${token} is rejected by the API (${reason}): agents using it fail. Rotate it now, or promote a spare.`,
      runbookHeading: 'ClaudeOAuthTokenRejected',
      perToken: true,
    },
    {
      name: 'ClaudeOAuthTokenProbeUnknown',
      expr: result('unknown'),
      for: props.unknownFor ?? Duration.hours(24),
      severity: 'warning',
      summary: `The live check of ${token} has been inconclusive for a day.`,
      description: `The live check of ${token} could not tell whether it works (${reason}) for a day: API outage, rate limit, or no egress from the cluster.`,
      runbookHeading: 'ClaudeOAuthTokenProbeUnknown',
      perToken: true,
    },
  ];
}
