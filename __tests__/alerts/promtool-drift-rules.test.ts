import { toRuleGroup } from '../../alerts/alert-record';
import { driftAlerts } from '../../alerts/drift-alerts';
import { renderRulesFile } from '../../alerts/rules-file';
import { expiryOf } from '../../inventory/expiry';
import { DriftMetrics, Metrics, MONITOR_JOB } from '../../lambda-src/contract';
import { humanizeDuration, promtoolTestRules } from '../helpers/promtool';
import { epochSeconds } from '../../inventory/expiry';

const RUNBOOK = 'https://example.test/README.md';
const rulesFile = renderRulesFile([toRuleGroup('drift', driftAlerts(), RUNBOOK)]);
const MINTED = epochSeconds(1_776_528_429);
const TOLERANCE = 6 * 3600;
const DRIFT = 'ClaudeOAuthTokenMintEpochDrift';
const NOT_STORED = 'ClaudeOAuthTokenRecordedNotStored';

const expected = {
  [DRIFT]: (seconds: number) => ({
    exp_labels: { severity: 'warning', path: 'primary' },
    exp_annotations: {
      summary: 'Claude Code OAuth token "primary" was written to Vault without its mint time being updated in the map.',
      description: `The token Vault holds for "primary" was minted or written ${humanizeDuration(seconds)} after the mint time token-mint-epochs.ts records: it was probably rotated without updating the map, so its expiry alerts are wrong. Record the real mint time: npm run tokens -- rotate primary --record-only --minted-at <when it was minted>.`,
      runbook_url: `${RUNBOOK}#claudeoauthtokenmintepochdrift`,
    },
  }),
  [NOT_STORED]: (seconds: number) => ({
    exp_labels: { severity: 'critical', path: 'primary' },
    exp_annotations: {
      summary: 'The map records a newer Claude Code OAuth token "primary" than Vault holds.',
      description: `token-mint-epochs.ts records a mint ${humanizeDuration(seconds)} after the token Vault holds for "primary" was minted or written: the new token was probably recorded but never stored, so its expiry alerts are green while the token the agents use still dies on its old date. Store it: node bin/tokens.js rotate primary --store --minted-at <the mint time the map records>, then deploy.`,
      runbook_url: `${RUNBOOK}#claudeoauthtokenrecordednotstored`,
    },
  }),
};

/** One case: the map records MINTED, Vault's side says `vaultMint`; which alert (if any) fires after 30 minutes. */
function group(name: string, vaultMint: number, fires: typeof DRIFT | typeof NOT_STORED | undefined) {
  const series = (metric: string, value: number) => ({ series: `${metric}{job="${MONITOR_JOB}",instance="",path="primary"}`, values: `${value}x60` });
  return {
    name,
    interval: '1m',
    input_series: [series(Metrics.expiryTimestamp.name, expiryOf(MINTED)), series(DriftMetrics.secretMinted.name, vaultMint)],
    alert_rule_test: [DRIFT, NOT_STORED].flatMap((alertname) => [
      { eval_time: '29m', alertname, exp_alerts: [] },
      { eval_time: '30m', alertname, exp_alerts: fires === alertname ? [expected[alertname](Math.abs(vaultMint - MINTED))] : [] },
    ]),
  };
}

describe('the map and Vault disagree on the mint time', () => {
  test('MintEpochDrift when Vault is later, RecordedNotStored when the map is, each past the tolerance, after 30 minutes', () => {
    const result = promtoolTestRules(rulesFile, [
      group('stored within the tolerance', MINTED + TOLERANCE, undefined),
      group('stored just past the tolerance', MINTED + TOLERANCE + 1, DRIFT),
      group('rotated a month later without updating the map', MINTED + 30 * 86_400, DRIFT),
      group('the same mint on both sides (rotate --store, even with an old --minted-at)', MINTED, undefined),
      group('recorded a little before storing', MINTED - TOLERANCE, undefined),
      group('recorded just past the tolerance before storing', MINTED - TOLERANCE - 1, NOT_STORED),
      group('recorded, never stored: Vault still holds the token of last year', MINTED - 200 * 86_400, NOT_STORED),
    ]);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });
});
