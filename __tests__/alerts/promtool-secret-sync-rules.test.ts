import { toRuleGroup } from '../../alerts/alert-record';
import { renderRulesFile } from '../../alerts/rules-file';
import { secretSyncAlerts } from '../../alerts/secret-sync-alerts';
import { promtoolTestRules } from '../helpers/promtool';

const RUNBOOK = 'https://example.test/README.md';
const [record] = secretSyncAlerts({ namespace: 'claude-agent', externalSecretNames: ['claude-agent-secrets'] });
const rulesFile = renderRulesFile([toRuleGroup('sync', [record], RUNBOOK, { namespace: 'monitoring' })]);

/** ESO's gauge as scraped with honor_labels true: one series per status, 1 on the current one. */
const condition = (name: string, namespace: string, status: string, values: string) => ({
  series: `externalsecret_status_condition{name="${name}",namespace="${namespace}",condition="Ready",status="${status}"}`,
  values,
});
/** The same, scraped with honor_labels false from ESO in namespace external-secrets (ESO's chart default). */
const renamed = (name: string, namespace: string, status: string, values: string) => ({
  series: `externalsecret_status_condition{name="${name}",exported_namespace="${namespace}",namespace="external-secrets",condition="Ready",status="${status}"}`,
  values,
});

describe('ClaudeOAuthTokenSecretSyncFailing', () => {
  test('fires after 15 minutes not Ready, not a minute earlier, for our ExternalSecret only, and clears when Ready', () => {
    const result = promtoolTestRules(rulesFile, [
      {
        name: 'not Ready for 15m, then Ready again',
        interval: '1m',
        input_series: [
          condition('claude-agent-secrets', 'claude-agent', 'False', '1x30 0x30'),
          condition('claude-agent-secrets', 'claude-agent', 'True', '0x30 1x30'),
          // Someone else's broken ExternalSecret, and one of ours elsewhere: not this alert's business.
          condition('other-app', 'claude-agent', 'False', '1x60'),
          condition('claude-agent-secrets', 'staging', 'False', '1x60'),
        ],
        alert_rule_test: [
          { eval_time: '14m', alertname: 'ClaudeOAuthTokenSecretSyncFailing', exp_alerts: [] },
          {
            eval_time: '15m',
            alertname: 'ClaudeOAuthTokenSecretSyncFailing',
            exp_alerts: [
              {
                exp_labels: { severity: 'critical', namespace: 'monitoring', name: 'claude-agent-secrets' },
                exp_annotations: {
                  summary: record.summary,
                  description:
                    'ExternalSecret claude-agent/claude-agent-secrets has not been Ready for 15m: ESO cannot copy the token from Vault, so a rotation never reaches the pods (and pods that need the Secret cannot start).',
                  runbook_url: `${RUNBOOK}#claudeoauthtokensecretsyncfailing`,
                },
              },
            ],
          },
          { eval_time: '32m', alertname: 'ClaudeOAuthTokenSecretSyncFailing', exp_alerts: [] },
        ],
      },
    ]);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  test('fires on the honor_labels-false shape (exported_namespace) too, and never takes ESO\'s own namespace for ours', () => {
    const [ours] = secretSyncAlerts({ namespace: 'external-secrets', externalSecretNames: ['claude-agent-secrets'] });
    const result = promtoolTestRules(rulesFile, [
      {
        name: 'renamed labels',
        interval: '1m',
        input_series: [renamed('claude-agent-secrets', 'claude-agent', 'False', '1x30'), renamed('claude-agent-secrets', 'claude-agent', 'True', '0x30')],
        alert_rule_test: [
          { eval_time: '14m', alertname: 'ClaudeOAuthTokenSecretSyncFailing', exp_alerts: [] },
          {
            eval_time: '15m',
            alertname: 'ClaudeOAuthTokenSecretSyncFailing',
            exp_alerts: [{ exp_labels: { severity: 'critical', namespace: 'monitoring', name: 'claude-agent-secrets' }, exp_annotations: annotationsOf('claude-agent-secrets') }],
          },
        ],
      },
    ]);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);

    // A rule for namespace external-secrets must not fire on a series whose ExternalSecret lives in claude-agent.
    const foreign = renderRulesFile([toRuleGroup('sync', [ours], RUNBOOK, { namespace: 'monitoring' })]);
    const quiet = promtoolTestRules(foreign, [
      { name: 'ESO namespace is not ours', interval: '1m', input_series: [renamed('claude-agent-secrets', 'claude-agent', 'False', '1x30')], alert_rule_test: [{ eval_time: '20m', alertname: 'ClaudeOAuthTokenSecretSyncFailing', exp_alerts: [] }] },
    ]);
    expect(quiet.output).toContain('SUCCESS');
  });
});

function annotationsOf(name: string) {
  return {
    summary: record.summary,
    description: `ExternalSecret claude-agent/${name} has not been Ready for 15m: ESO cannot copy the token from Vault, so a rotation never reaches the pods (and pods that need the Secret cannot start).`,
    runbook_url: `${RUNBOOK}#claudeoauthtokensecretsyncfailing`,
  };
}
