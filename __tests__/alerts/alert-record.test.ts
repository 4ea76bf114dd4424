import { toRuleGroup } from '../../alerts/alert-record';
import { tokenExpiryAlerts } from '../../alerts/token-expiry-alerts';

describe('toRuleGroup', () => {
  test('refuses a per-token alert whose summary does not name the token: a receiver printing only the summary could not say which', () => {
    const [expiring] = tokenExpiryAlerts();
    expect(() => toRuleGroup('g', [{ ...expiring, summary: 'A token expires soon.' }], 'https://example.test/README.md')).toThrow(
      'alert ClaudeOAuthTokenExpiringSoon: its summary must name the token ({{ $labels.path }}), for receivers that print only the summary.',
    );
    expect(() => toRuleGroup('g', [expiring], 'https://example.test/README.md')).not.toThrow();
  });
});
