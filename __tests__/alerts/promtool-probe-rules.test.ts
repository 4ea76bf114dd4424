import { markdownAnchor, toRuleGroup } from '../../alerts/alert-record';
import { renderRulesFile } from '../../alerts/rules-file';
import { tokenProbeAlerts } from '../../alerts/token-probe-alerts';
import { PROBE_JOB, ProbeMetrics } from '../../lambda-src/contract';
import { promtoolTestRules, PromtoolTestGroup } from '../helpers/promtool';

/** As a receiver that prints only the summary shows them: the token named. */
const SUMMARIES: Record<string, string> = {
  ClaudeOAuthTokenRejected: 'The Anthropic API rejects Claude Code OAuth token "primary".',
  ClaudeOAuthTokenProbeUnknown: 'The live check of Claude Code OAuth token "primary" has been inconclusive for a day.',
};

const RUNBOOK = 'https://example.test/README.md';
const records = tokenProbeAlerts();
const rulesFile = renderRulesFile([toRuleGroup('claude-oauth-token-probe', records, RUNBOOK)]);
const record = (name: string) => records.find((candidate) => candidate.name === name)!;
const MINUTE = 60;

/** The probe's group for one token: its result from t=0, and the reason when not valid. */
function probeSeries(result: 'valid' | 'rejected' | 'unknown', reason: string | undefined, minutes: number) {
  const series = ['valid', 'rejected', 'unknown'].map((state) => ({
    series: `${ProbeMetrics.result.name}{job="${PROBE_JOB}",instance="",path="primary",result="${state}"}`,
    values: `${state === result ? 1 : 0}x${minutes}`,
  }));
  return reason ? [...series, { series: `${ProbeMetrics.reason.name}{job="${PROBE_JOB}",instance="",path="primary",reason="${reason}"}`, values: `1x${minutes}` }] : series;
}

function edges(alertname: string, severity: string, result: 'rejected' | 'unknown', reason: string, description: string): PromtoolTestGroup {
  const holdFor = record(alertname).for.toSeconds();
  return {
    name: `${alertname} edges`,
    interval: '1m',
    input_series: probeSeries(result, reason, holdFor / MINUTE + 30),
    alert_rule_test: [
      { eval_time: `${holdFor / MINUTE - 1}m`, alertname, exp_alerts: [] },
      {
        eval_time: `${holdFor / MINUTE}m`,
        alertname,
        exp_alerts: [
          {
            exp_labels: { severity, path: 'primary' },
            exp_annotations: { summary: SUMMARIES[alertname], description, runbook_url: `${RUNBOOK}#${markdownAnchor(alertname)}` },
          },
        ],
      },
    ],
  };
}

describe('the probe alert rules', () => {
  test('Rejected pages after 5 minutes, naming the path and why; Unknown warns only after a day', () => {
    const result = promtoolTestRules(rulesFile, [
      edges('ClaudeOAuthTokenRejected', 'critical', 'rejected', 'revoked', 'Claude Code OAuth token "primary" is rejected by the API (revoked): agents using it fail. Rotate it now, or promote a spare.'),
      edges(
        'ClaudeOAuthTokenProbeUnknown',
        'warning',
        'unknown',
        'http_429',
        'The live check of Claude Code OAuth token "primary" could not tell whether it works (http_429) for a day: API outage, rate limit, or no egress from the cluster.',
      ),
      {
        name: 'a valid token alerts nobody',
        interval: '1m',
        input_series: probeSeries('valid', undefined, 60 * 25),
        alert_rule_test: [
          { eval_time: '25h', alertname: 'ClaudeOAuthTokenRejected', exp_alerts: [] },
          { eval_time: '25h', alertname: 'ClaudeOAuthTokenProbeUnknown', exp_alerts: [] },
        ],
      },
    ]);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });
});
