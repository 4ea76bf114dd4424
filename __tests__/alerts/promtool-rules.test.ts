import { AlertRecord, markdownAnchor, toRuleGroup } from '../../alerts/alert-record';
import { renderRulesFile } from '../../alerts/rules-file';
import { TOKEN_EXPIRY_RULE_GROUP, tokenExpiryAlerts } from '../../alerts/token-expiry-alerts';
import { CRITICAL_DAYS, SECONDS_PER_DAY, WARNING_DAYS } from '../../inventory/expiry';
import { Metrics, MONITOR_JOB } from '../../lambda-src/contract';
import { humanizeDuration, humanizeTimestamp, promtool, promtoolTestRules, PromtoolTestGroup } from '../helpers/promtool';

const RUNBOOK = 'https://example.test/README.md';
const records = tokenExpiryAlerts();
const rulesFile = renderRulesFile([toRuleGroup(TOKEN_EXPIRY_RULE_GROUP, records, RUNBOOK)]);
const record = (name: string): AlertRecord => records.find((candidate) => candidate.name === name)!;
const EXPIRY = Metrics.expiryTimestamp.name;
const LAST_PUSH = Metrics.lastPushTimestamp.name;
const HOUR = 3_600;
const MINUTE = 60;

/** promtool's duration for a number of seconds (whole minutes here). */
const at = (seconds: number) => `${seconds / MINUTE}m`;
/** A series holding `value` every minute for `minutes` minutes. */
const constant = (value: number, minutes: number) => `${value}x${minutes}`;

function tokenAnnotations(alertname: string, path: string, value: number, expiresAt: number): Record<string, string> {
  const expired = alertname === 'ClaudeOAuthTokenExpired';
  const tail = {
    ClaudeOAuthTokenExpiringSoon: 'Rotate it this week: mint, store in Vault, update token-mint-epochs.ts, deploy.',
    ClaudeOAuthTokenCritical: 'Rotate it now, or promote a spare.',
    ClaudeOAuthTokenExpired: 'Agents that use it are failing: promote a spare or rotate now.',
  }[alertname];
  const summary = {
    ClaudeOAuthTokenExpiringSoon: 'expires within 30 days.',
    ClaudeOAuthTokenCritical: 'expires within 7 days.',
    ClaudeOAuthTokenExpired: 'has expired; agents using it get 401s.',
  }[alertname];
  return {
    // The path in the summary too: a receiver that prints only the summary still says which token.
    summary: `Claude Code OAuth token "${path}" ${summary}`,
    description: `Claude Code OAuth token "${path}" ${expired ? 'expired' : 'expires in'} ${humanizeDuration(value)}${expired ? ' ago' : ''}, at ${humanizeTimestamp(expiresAt)}. ${tail}`,
    runbook_url: `${RUNBOOK}#${markdownAnchor(record(alertname).runbookHeading)}`,
  };
}

/** One token expiring at `expiresAt`; the alert checked just before and just after its `for` runs out. */
function thresholdGroup(alertname: string, severity: string, expiresAt: number, firstTrueAt: number): PromtoolTestGroup {
  const holdFor = record(alertname).for.toSeconds();
  const firesAt = firstTrueAt + holdFor;
  const value = (t: number) => (alertname === 'ClaudeOAuthTokenExpired' ? t - expiresAt : expiresAt - t);
  return {
    name: `${alertname}: threshold and for edges`,
    interval: '1m',
    input_series: [{ series: `${EXPIRY}{job="${MONITOR_JOB}",instance="",path="primary"}`, values: constant(expiresAt, (firesAt + HOUR) / MINUTE) }],
    alert_rule_test: [
      { eval_time: at(firstTrueAt - MINUTE), alertname, exp_alerts: [] }, // threshold not crossed yet
      { eval_time: at(firesAt - MINUTE), alertname, exp_alerts: [] }, // crossed, but `for` not yet over
      {
        eval_time: at(firesAt),
        alertname,
        exp_alerts: [{ exp_labels: { severity, path: 'primary' }, exp_annotations: tokenAnnotations(alertname, 'primary', value(firesAt), expiresAt) }],
      },
    ],
  };
}

describe('the generated alert rules', () => {
  test('pass promtool check rules', () => {
    const result = promtool(['check', 'rules', 'rules.yml'], { 'rules.yml': rulesFile });
    expect(result.output).toContain('SUCCESS: 5 rules found');
    expect(result.status).toBe(0);
  });

  test('the oracle for Prometheus template functions matches known renderings', () => {
    expect(humanizeDuration(30 * SECONDS_PER_DAY - HOUR - MINUTE)).toBe('29d 22h 59m 0s');
    expect(humanizeDuration(2 * MINUTE)).toBe('2m 0s');
    expect(humanizeTimestamp(30 * SECONDS_PER_DAY + 2 * HOUR)).toBe('1970-01-31 02:00:00 +0000 UTC');
  });

  test('each alert fires just after its threshold and its for, and not a minute earlier', () => {
    const warning = WARNING_DAYS * SECONDS_PER_DAY;
    const critical = CRITICAL_DAYS * SECONDS_PER_DAY;
    const groups: PromtoolTestGroup[] = [
      // Expiry 30 d + 2 h after t=0: exactly 30 d left at 2 h (not "< 30 d"), 29 d 23 h 59 m left at 2 h 1 m.
      thresholdGroup('ClaudeOAuthTokenExpiringSoon', 'warning', warning + 2 * HOUR, 2 * HOUR + MINUTE),
      thresholdGroup('ClaudeOAuthTokenCritical', 'critical', critical + HOUR, HOUR + MINUTE),
      // Expiry at 1 h: "expired" holds from that very evaluation (>= 0).
      thresholdGroup('ClaudeOAuthTokenExpired', 'critical', HOUR, HOUR),
    ];
    const result = promtoolTestRules(rulesFile, groups);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  test('the monitor alerts: stale after 48 h without a push, never-run when the metric is absent', () => {
    const staleAfter = 48 * HOUR;
    const staleFor = record('ClaudeOAuthTokenMonitorStale').for.toSeconds();
    const neverRunFor = record('ClaudeOAuthTokenMonitorNeverRun').for.toSeconds();
    const staleFiresAt = staleAfter + MINUTE + staleFor;
    const groups: PromtoolTestGroup[] = [
      {
        name: 'ClaudeOAuthTokenMonitorStale: last push at t=0',
        interval: '1m',
        input_series: [{ series: `${LAST_PUSH}{job="${MONITOR_JOB}",instance=""}`, values: constant(0, (staleFiresAt + HOUR) / MINUTE) }],
        alert_rule_test: [
          { eval_time: at(staleAfter), alertname: 'ClaudeOAuthTokenMonitorStale', exp_alerts: [] },
          { eval_time: at(staleFiresAt - MINUTE), alertname: 'ClaudeOAuthTokenMonitorStale', exp_alerts: [] },
          {
            eval_time: at(staleFiresAt),
            alertname: 'ClaudeOAuthTokenMonitorStale',
            exp_alerts: [
              {
                exp_labels: { severity: 'warning' },
                exp_annotations: {
                  summary: record('ClaudeOAuthTokenMonitorStale').summary,
                  description: `The expiry monitor (job ${MONITOR_JOB}) last pushed ${humanizeDuration(staleFiresAt)} ago; token expiry alerts are running on old data.`,
                  runbook_url: `${RUNBOOK}#claudeoauthtokenmonitorstale`,
                },
              },
            ],
          },
          { eval_time: at(staleFiresAt), alertname: 'ClaudeOAuthTokenMonitorNeverRun', exp_alerts: [] },
        ],
      },
      {
        name: 'ClaudeOAuthTokenMonitorNeverRun: no push metric at all',
        interval: '1m',
        input_series: [{ series: `${EXPIRY}{job="${MONITOR_JOB}",instance="",path="primary"}`, values: constant(400 * SECONDS_PER_DAY, 200) }],
        alert_rule_test: [
          { eval_time: at(neverRunFor - MINUTE), alertname: 'ClaudeOAuthTokenMonitorNeverRun', exp_alerts: [] },
          {
            eval_time: at(neverRunFor),
            alertname: 'ClaudeOAuthTokenMonitorNeverRun',
            exp_alerts: [
              {
                exp_labels: { severity: 'warning' },
                exp_annotations: {
                  summary: record('ClaudeOAuthTokenMonitorNeverRun').summary,
                  description: record('ClaudeOAuthTokenMonitorNeverRun').description,
                  runbook_url: `${RUNBOOK}#claudeoauthtokenmonitorneverrun`,
                },
              },
            ],
          },
        ],
      },
    ];
    const result = promtoolTestRules(rulesFile, groups);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  test('one alert per path whatever the scrape adds, and a rotation clears it', () => {
    const critical = CRITICAL_DAYS * SECONDS_PER_DAY;
    const expiresAt = critical + HOUR; // critical from 1 h 1 m, firing from 1 h 11 m
    const rotatedAt = 2 * HOUR; // a new token, 365 days from then
    const rotated = rotatedAt + 365 * SECONDS_PER_DAY;
    // honor_labels off on two Pushgateway targets: job/instance are the scrape's, the pushed job is exported_job.
    const scraped = (instance: string, path: string) =>
      `${EXPIRY}{job="pushgateway",exported_job="${MONITOR_JOB}",instance="${instance}",exported_instance="",path="${path}"}`;
    const series = (path: string, values: string) => ['10.0.0.1:9091', '10.0.0.2:9091'].map((instance) => ({ series: scraped(instance, path), values }));
    const result = promtoolTestRules(rulesFile, [
      {
        name: 'dedup across targets, then rotation',
        interval: '1m',
        input_series: [
          ...series('primary', `${constant(expiresAt, rotatedAt / MINUTE - 1)} ${constant(rotated, 120)}`),
          ...series('spare-1', constant(400 * SECONDS_PER_DAY, rotatedAt / MINUTE + 120)),
        ],
        alert_rule_test: [
          {
            eval_time: at(HOUR + 11 * MINUTE),
            alertname: 'ClaudeOAuthTokenCritical',
            exp_alerts: [
              {
                exp_labels: { severity: 'critical', path: 'primary' },
                exp_annotations: tokenAnnotations('ClaudeOAuthTokenCritical', 'primary', expiresAt - (HOUR + 11 * MINUTE), expiresAt),
              },
            ],
          },
          { eval_time: at(rotatedAt + MINUTE), alertname: 'ClaudeOAuthTokenCritical', exp_alerts: [] },
          { eval_time: at(rotatedAt + MINUTE), alertname: 'ClaudeOAuthTokenExpiringSoon', exp_alerts: [] },
        ],
      },
    ]);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  test('the harness fails when an expectation is wrong (negative control)', () => {
    const group = thresholdGroup('ClaudeOAuthTokenCritical', 'critical', CRITICAL_DAYS * SECONDS_PER_DAY + HOUR, HOUR + MINUTE);
    const wrong: PromtoolTestGroup = {
      ...group,
      alert_rule_test: [{ ...group.alert_rule_test[2], eval_time: group.alert_rule_test[1].eval_time }], // a minute too early
    };
    const result = promtoolTestRules(rulesFile, [wrong]);
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('FAILED');
  });
});
