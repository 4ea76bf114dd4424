import { escapeLabelValue, renderExposition } from '../../lambda-src/exposition';
import { parseExposition } from '../helpers/exposition';
import { epochSeconds } from '../../inventory/expiry';

describe('renderExposition', () => {
  test('writes both metrics with HELP and TYPE, one sample per path, and the push time', () => {
    const text = renderExposition(
      [
        { path: 'primary', expiresAt: epochSeconds(1808064429) },
        { path: 'spare-1', expiresAt: epochSeconds(1808064280) },
      ],
      epochSeconds(1795392000),
    );
    expect(text).toBe(
      [
        '# HELP claude_oauth_token_expiry_timestamp Unix time (seconds) at which the Claude Code OAuth token at this path expires.',
        '# TYPE claude_oauth_token_expiry_timestamp gauge',
        'claude_oauth_token_expiry_timestamp{path="primary"} 1808064429',
        'claude_oauth_token_expiry_timestamp{path="spare-1"} 1808064280',
        '# HELP claude_oauth_expiry_monitor_last_push_timestamp Unix time (seconds) at which the expiry monitor last pushed.',
        '# TYPE claude_oauth_expiry_monitor_last_push_timestamp gauge',
        'claude_oauth_expiry_monitor_last_push_timestamp 1795392000',
        '',
      ].join('\n'),
    );
  });

  test('escapes backslash, double quote and newline in label values so they read back unchanged', () => {
    const awkward = 'a\\b"c\nd';
    expect(escapeLabelValue(awkward)).toBe('a\\\\b\\"c\\nd');
    const [sample] = parseExposition(renderExposition([{ path: awkward, expiresAt: epochSeconds(1) }], epochSeconds(2)));
    expect(sample.labels.path).toBe(awkward);
  });
});
