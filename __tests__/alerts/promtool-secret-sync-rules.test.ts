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
                  summary: 'External Secrets Operator cannot deliver ExternalSecret claude-agent/claude-agent-secrets (a Claude Code OAuth token) from Vault.',
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

describe('ClaudeOAuthTokenSecretSyncUnobserved: the sync alert would be blind', () => {
  const [, unobserved] = secretSyncAlerts({ namespace: 'claude-agent', externalSecretNames: ['claude-oauth-token'] });
  const rules = renderRulesFile([toRuleGroup('sync', [unobserved], RUNBOOK, { namespace: 'monitoring' })]);
  const fired = [
    {
      exp_labels: { severity: 'warning', namespace: 'monitoring' },
      exp_annotations: {
        summary: 'Prometheus has no ESO sync status for claude-agent/claude-oauth-token: ClaudeOAuthTokenSecretSyncFailing cannot fire.',
        description:
          "No externalsecret_status_condition series for claude-agent/claude-oauth-token: ESO's metrics are not scraped, or the scrape drops them. Enable ESO's metrics Service (metrics.service.enabled) and keep externalsecret_status_condition in any keep-list of the scrape job.",
        runbook_url: `${RUNBOOK}#claudeoauthtokensecretsyncunobserved`,
      },
    },
  ];

  test('fires after an hour without any status of our ExternalSecret, not a minute earlier; quiet while ESO reports it in either label shape', () => {
    const result = promtoolTestRules(rules, [
      {
        name: 'nothing of ours scraped (only another namespace\'s and another name\'s)',
        interval: '1m',
        input_series: [condition('claude-oauth-token', 'staging', 'True', '1x90'), condition('other-app', 'claude-agent', 'True', '1x90')],
        alert_rule_test: [
          { eval_time: '59m', alertname: 'ClaudeOAuthTokenSecretSyncUnobserved', exp_alerts: [] },
          { eval_time: '60m', alertname: 'ClaudeOAuthTokenSecretSyncUnobserved', exp_alerts: fired },
        ],
      },
      {
        name: 'scraped with honor_labels true, Ready',
        interval: '1m',
        input_series: [condition('claude-oauth-token', 'claude-agent', 'True', '1x90')],
        alert_rule_test: [{ eval_time: '80m', alertname: 'ClaudeOAuthTokenSecretSyncUnobserved', exp_alerts: [] }],
      },
      {
        name: 'scraped with honor_labels false, not Ready (the other alert speaks)',
        interval: '1m',
        input_series: [renamed('claude-oauth-token', 'claude-agent', 'False', '1x90')],
        alert_rule_test: [{ eval_time: '80m', alertname: 'ClaudeOAuthTokenSecretSyncUnobserved', exp_alerts: [] }],
      },
      {
        name: 'the metrics stop arriving',
        interval: '1m',
        input_series: [condition('claude-oauth-token', 'claude-agent', 'True', '1x10')],
        // Stale 5 minutes after the last sample (11m), so absent from 16m; for 1h: fires at 76m.
        alert_rule_test: [
          { eval_time: '75m', alertname: 'ClaudeOAuthTokenSecretSyncUnobserved', exp_alerts: [] },
          { eval_time: '76m', alertname: 'ClaudeOAuthTokenSecretSyncUnobserved', exp_alerts: fired },
        ],
      },
    ]);
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });
});

function annotationsOf(name: string) {
  return {
    summary: `External Secrets Operator cannot deliver ExternalSecret claude-agent/${name} (a Claude Code OAuth token) from Vault.`,
    description: `ExternalSecret claude-agent/${name} has not been Ready for 15m: ESO cannot copy the token from Vault, so a rotation never reaches the pods (and pods that need the Secret cannot start).`,
    runbook_url: `${RUNBOOK}#claudeoauthtokensecretsyncfailing`,
  };
}
