import { toRuleGroup } from '../../alerts/alert-record';
import { driftAlerts } from '../../alerts/drift-alerts';
import { renderRulesFile } from '../../alerts/rules-file';
import { expiryOf } from '../../inventory/expiry';
import { DriftMetrics, Metrics, MONITOR_JOB } from '../../lambda-src/contract';
import { humanizeDuration, promtoolTestRules } from '../helpers/promtool';
import { epochSeconds } from '../../inventory/expiry';

const RUNBOOK = 'https://example.test/README.md';
const [record] = driftAlerts();
const rulesFile = renderRulesFile([toRuleGroup('drift', [record], RUNBOOK)]);
const MINTED = epochSeconds(1_776_528_429);
const TOLERANCE = 6 * 3600;

function group(name: string, updatedAt: number, fires: boolean) {
  const series = (metric: string, value: number) => ({ series: `${metric}{job="${MONITOR_JOB}",instance="",path="primary"}`, values: `${value}x60` });
  return {
    name,
    interval: '1m',
    input_series: [series(Metrics.expiryTimestamp.name, expiryOf(MINTED)), series(DriftMetrics.secretUpdated.name, updatedAt)],
    alert_rule_test: [
      { eval_time: '29m', alertname: 'ClaudeOAuthTokenMintEpochDrift', exp_alerts: [] },
      {
        eval_time: '30m',
        alertname: 'ClaudeOAuthTokenMintEpochDrift',
        exp_alerts: fires
          ? [
              {
                exp_labels: { severity: 'warning', path: 'primary' },
                exp_annotations: {
                  summary: 'Claude Code OAuth token "primary" was written to Vault without its mint time being updated in the map.',
                  description: `The Vault secret of Claude Code OAuth token "primary" was written ${humanizeDuration(updatedAt - MINTED)} after the mint time token-mint-epochs.ts records: it was probably rotated without updating the map, so its expiry alerts are wrong. Record the real mint time: npm run tokens -- rotate primary --minted-at <when it was minted>.`,
                  runbook_url: `${RUNBOOK}#claudeoauthtokenmintepochdrift`,
                },
              },
            ]
          : [],
      },
    ],
  };
}

describe('ClaudeOAuthTokenMintEpochDrift', () => {
  test('fires when Vault was written more than the tolerance after the recorded mint, after 30 minutes', () => {
    const result = promtoolTestRules(rulesFile, [
      group('stored within the tolerance', MINTED + TOLERANCE, false),
      group('stored just past the tolerance', MINTED + TOLERANCE + 1, true),
      group('rotated a month later without updating the map', MINTED + 30 * 86_400, true),
      group('the map records a later mint than Vault saw (map edited first)', MINTED - 3600, false),
    ]);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });
});
