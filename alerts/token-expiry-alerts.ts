import { Duration } from '../inventory/duration';
import { CRITICAL_DAYS, WARNING_DAYS } from '../inventory/expiry';
import { Metrics, MONITOR_JOB, PATH_LABEL } from '../lambda-src/contract';
import { AlertRecord } from './alert-record';

export const TOKEN_EXPIRY_RULE_GROUP = 'claude-oauth-token-expiry';

/** Thresholds and `for` durations of the token-expiry alerts. */
export interface TokenExpiryAlertsProps {
  /**
   * Less than this left: `ClaudeOAuthTokenExpiringSoon`.
   * @default Duration.days(30)
   */
  readonly warningBefore?: Duration;
  /**
   * Less than this left: `ClaudeOAuthTokenCritical`.
   * @default Duration.days(7)
   */
  readonly criticalBefore?: Duration;
  /**
   * No push for longer than this: `ClaudeOAuthTokenMonitorStale`. Keep it well above the monitor's schedule.
   * @default Duration.hours(48)
   */
  readonly staleAfter?: Duration;
  /** @default Duration.hours(1) */
  readonly expiringSoonFor?: Duration;
  /** @default Duration.minutes(10) */
  readonly criticalFor?: Duration;
  /** Short, so that an expired token pages within 5 minutes. @default Duration.minutes(2) */
  readonly expiredFor?: Duration;
  /** @default Duration.minutes(15) */
  readonly monitorStaleFor?: Duration;
  /** @default Duration.hours(2) */
  readonly monitorNeverRunFor?: Duration;
}

/** PromQL's spelling of a number of seconds, readable when it is whole days or hours. */
function seconds(duration: Duration): string {
  const total = duration.toSeconds();
  if (total > 0 && total % 86_400 === 0) return `${total / 86_400} * 86400`;
  if (total > 0 && total % 3_600 === 0) return `${total / 3_600} * 3600`;
  return String(total);
}

/**
 * The alerts that keep a token from expiring unnoticed, and the monitor from dying unnoticed.
 * `min by (path)` makes one series per token whatever the scrape adds (job/instance with
 * honor_labels off, the same group scraped from two targets).
 */
export function tokenExpiryAlerts(props: TokenExpiryAlertsProps = {}): AlertRecord[] {
  const warningBefore = props.warningBefore ?? Duration.days(WARNING_DAYS);
  const criticalBefore = props.criticalBefore ?? Duration.days(CRITICAL_DAYS);
  const staleAfter = props.staleAfter ?? Duration.hours(48);
  if (criticalBefore.toSeconds() >= warningBefore.toSeconds()) {
    throw new Error(
      `tokenExpiryAlerts: criticalBefore (${criticalBefore.toDurationString()}) must be shorter than warningBefore (${warningBefore.toDurationString()}).`,
    );
  }
  const expiry = `min by (${PATH_LABEL}) (${Metrics.expiryTimestamp.name})`;
  const lastPush = Metrics.lastPushTimestamp.name;
  // Templates see only the expression's value (time left), so the expiry date is queried by path.
  const expiryOfThisPath = `min by (${PATH_LABEL}) (${Metrics.expiryTimestamp.name}{${PATH_LABEL}=%q})`;
  const expiresAt = `{{ with printf "${expiryOfThisPath}" $labels.${PATH_LABEL} | query }}{{ . | first | value | humanizeTimestamp }}{{ end }}`;
  const token = `Claude Code OAuth token "{{ $labels.${PATH_LABEL} }}"`;

  return [
    {
      name: 'ClaudeOAuthTokenExpiringSoon',
      expr: `${expiry} - time() < ${seconds(warningBefore)}`,
      for: props.expiringSoonFor ?? Duration.hours(1),
      severity: 'warning',
      summary: `${token} expires within ${humanDays(warningBefore)}.`,
      description: `${token} expires in {{ $value | humanizeDuration }}, at ${expiresAt}. Rotate it this week: mint, store in Vault, update token-mint-epochs.ts, deploy.`,
      runbookHeading: 'ClaudeOAuthTokenExpiringSoon',
      perToken: true,
    },
    {
      name: 'ClaudeOAuthTokenCritical',
      expr: `${expiry} - time() < ${seconds(criticalBefore)}`,
      for: props.criticalFor ?? Duration.minutes(10),
      severity: 'critical',
      summary: `${token} expires within ${humanDays(criticalBefore)}.`,
      description: `${token} expires in {{ $value | humanizeDuration }}, at ${expiresAt}. Rotate it now, or promote a spare.`,
      runbookHeading: 'ClaudeOAuthTokenCritical',
      perToken: true,
    },
    {
      name: 'ClaudeOAuthTokenExpired',
      expr: `time() - ${expiry} >= 0`,
      for: props.expiredFor ?? Duration.minutes(2),
      severity: 'critical',
      summary: `${token} has expired; agents using it get 401s.`,
      description: `${token} expired {{ $value | humanizeDuration }} ago, at ${expiresAt}. Agents that use it are failing: promote a spare or rotate now.`,
      runbookHeading: 'ClaudeOAuthTokenExpired',
      perToken: true,
    },
    {
      name: 'ClaudeOAuthTokenMonitorStale',
      expr: `time() - max(${lastPush}) > ${seconds(staleAfter)}`,
      for: props.monitorStaleFor ?? Duration.minutes(15),
      severity: 'warning',
      summary: 'The Claude OAuth token expiry monitor has stopped pushing.',
      description: `The expiry monitor (job ${MONITOR_JOB}) last pushed {{ $value | humanizeDuration }} ago; token expiry alerts are running on old data.`,
      runbookHeading: 'ClaudeOAuthTokenMonitorStale',
      perToken: false,
    },
    {
      name: 'ClaudeOAuthTokenMonitorNeverRun',
      expr: `absent(${lastPush})`,
      for: props.monitorNeverRunFor ?? Duration.hours(2),
      severity: 'warning',
      summary: 'The Claude OAuth token expiry monitor has never pushed.',
      description: `Prometheus has no ${lastPush}: the CronJob ${MONITOR_JOB} has not pushed, the Pushgateway lost its data, or Prometheus does not scrape it. No token expiry alert can fire.`,
      runbookHeading: 'ClaudeOAuthTokenMonitorNeverRun',
      perToken: false,
    },
  ];
}

function humanDays(duration: Duration): string {
  const days = duration.toSeconds() / 86_400;
  return Number.isInteger(days) ? `${days} day${days === 1 ? '' : 's'}` : duration.toDurationString();
}
