import { SECONDS_PER_DAY } from '../../inventory/expiry';
import { buildTokenInventory, EpochMapError, MintEpochs, readTokenInventory } from '../../inventory/token-inventory';
import { daysAgo, EXAMPLE_MINT_EPOCHS, TEST_NOW } from '../helpers/inventory';
import { vaultSecretLocation } from '../../inventory/vault-location';
import { epochSeconds } from '../../inventory/expiry';

/** The problems of a map given as data, or as source text read by the one reader. */
function problemsOf(mintEpochs: MintEpochs | string): string[] {
  try {
    if (typeof mintEpochs === 'string') readTokenInventory({ fileName: 'token-mint-epochs.ts', text: mintEpochs }, { now: TEST_NOW });
    else buildTokenInventory(mintEpochs, { now: TEST_NOW });
  } catch (error) {
    if (error instanceof EpochMapError) return [...error.problems];
    throw error;
  }
  throw new Error('expected the map to be rejected');
}

describe('buildTokenInventory', () => {
  test('derives expiry, days left, status and Vault location of every token', () => {
    const inventory = buildTokenInventory(EXAMPLE_MINT_EPOCHS, { now: TEST_NOW });
    expect(inventory.tokens.map((token) => [token.path, token.expiresAt, token.daysLeft, token.status, token.vault.path])).toEqual([
      ['primary', 1808064429, 146, 'healthy', 'secret/claude-agent-service'],
      ['spare-1', 1808064280, 146, 'healthy', 'secret/claude-agent-service-spare-1'],
      ['spare-2', 1808064429, 146, 'healthy', 'secret/claude-agent-service-spare-2'],
    ]);
    expect(inventory.primary.vault).toEqual({
      mount: 'secret',
      name: 'claude-agent-service',
      path: 'secret/claude-agent-service',
      dataPath: 'secret/data/claude-agent-service',
      metadataPath: 'secret/metadata/claude-agent-service',
      field: 'claude_oauth_token',
    });
    // The example's three tokens were minted minutes apart: the spares give no runway, and it says so.
    expect(inventory.warnings).toEqual([
      "all 3 tokens expire within 3 minutes of each other (2027-04-18T16:04:40Z to 2027-04-18T16:07:09Z): when one enters the 30-day warning window the spares do too, so they give no runway. Re-mint the spares at staggered times (npm run tokens -- rotate <spare>).",
    ]);
  });

  test('no runway warning once the tokens expire at least the warning window apart, nor for a primary alone', () => {
    const apart = buildTokenInventory({ primary: EXAMPLE_MINT_EPOCHS.primary, 'spare-1': EXAMPLE_MINT_EPOCHS.primary - 30 * SECONDS_PER_DAY }, { now: TEST_NOW });
    expect(apart.warnings).toEqual([]);
    const closer = buildTokenInventory({ primary: EXAMPLE_MINT_EPOCHS.primary, 'spare-1': EXAMPLE_MINT_EPOCHS.primary - 30 * SECONDS_PER_DAY + 1 }, { now: TEST_NOW });
    expect(closer.warnings).toEqual([expect.stringMatching(/^all 2 tokens expire within 29 days of each other/)]);
    expect(buildTokenInventory({ primary: EXAMPLE_MINT_EPOCHS.primary }, { now: TEST_NOW }).warnings).toEqual([]);
  });

  test('a second agent service is a different Vault layout, not a copy', () => {
    const inventory = buildTokenInventory(EXAMPLE_MINT_EPOCHS, { now: TEST_NOW, vault: { mount: 'kv', baseName: 'reviewer-bot' } });
    expect(inventory.tokens.map((token) => token.vault.dataPath)).toEqual([
      'kv/data/reviewer-bot',
      'kv/data/reviewer-bot-spare-1',
      'kv/data/reviewer-bot-spare-2',
    ]);
  });

  test('a layout field given as undefined keeps its default', () => {
    expect(vaultSecretLocation('spare-1', { mount: undefined, baseName: undefined, field: undefined }).dataPath).toBe('secret/data/claude-agent-service-spare-1');
  });

  test('a millisecond epoch is named, with the seconds value to write instead', () => {
    expect(problemsOf({ primary: 1776528429000 })).toEqual([
      "'primary': mint epoch 1776528429000 is in milliseconds (like expiresAt in .credentials.json): write seconds, 1776528429 (2026-04-18T16:07:09Z).",
    ]);
  });

  test('a non-integer or non-number epoch is rejected', () => {
    expect(problemsOf({ primary: 1776528429.5 })).toEqual([
      "'primary': mint epoch 1776528429.5 is not a whole number of seconds: write 1776528429.",
    ]);
    expect(problemsOf({ primary: Number.NaN })[0]).toMatch(/^'primary': mint epoch null is not a number/);
    expect(problemsOf({ primary: '1776528429' as unknown as number })[0]).toMatch(/^'primary': mint epoch "1776528429" is not a number/);
  });

  test('a mint date before 2025 is rejected', () => {
    expect(problemsOf({ primary: 1735689599 })).toEqual([
      "'primary': mint epoch 1735689599 (2024-12-31T23:59:59Z) is before 2025-01-01T00:00:00Z, earlier than any setup-token: check the number (unix seconds of minting).",
    ]);
    expect(() => buildTokenInventory({ primary: 1735689600 }, { now: TEST_NOW })).not.toThrow();
  });

  test('a mint date in the future is rejected beyond ten minutes of clock skew', () => {
    expect(() => buildTokenInventory({ primary: TEST_NOW + 600 }, { now: TEST_NOW })).not.toThrow();
    expect(problemsOf({ primary: TEST_NOW + 601 })).toEqual([
      "'primary': mint epoch 1795392601 (2026-11-23T00:10:01Z) is in the future (now is 2026-11-23T00:00:00Z): write when the token was actually minted.",
    ]);
  });

  test.each(['Primary Token', 'Primary', 'spare_1', '-spare', 'spare-', 'x'.repeat(64), ''])('path %j is rejected', (path) => {
    const problems = problemsOf({ primary: daysAgo(1), [path]: daysAgo(1) });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`'${path}': is not a valid token path`);
    expect(problems[0]).toContain("lowercase letters, digits and '-'");
  });

  test('an invalid path comes with a suggestion that is itself valid', () => {
    expect(problemsOf({ primary: daysAgo(1), 'Primary Token': daysAgo(1) })[0]).toContain("(e.g. 'primary-token')");
  });

  test('duplicate paths in the source are caught, with their lines, though an imported object keeps only one', () => {
    const source = [
      'export const TOKEN_MINT_EPOCHS: Readonly<Record<string, number>> = {',
      '  primary: 1776528429, // 2026-04-18T16:07:09Z',
      "  'spare-1': 1776528280, // 2026-04-18T16:04:40Z",
      '  "primary": 1790000000,',
      '};',
    ].join('\n');
    expect(problemsOf(source)).toEqual([
      "'primary' is listed 2 times (token-mint-epochs.ts lines 2, 4): only the last would count. Keep one line per token path.",
    ]);
  });

  test('errors name the file and line of the entry when the source is given', () => {
    const source = ['export const TOKEN_MINT_EPOCHS = {', '  primary: 1776528429000,', '};'].join('\n');
    expect(problemsOf(source)[0]).toMatch(/^'primary' \(token-mint-epochs.ts:2\): mint epoch 1776528429000 is in milliseconds/);
  });

  test('an empty map and a map without primary are rejected', () => {
    expect(problemsOf({})).toEqual(["the map is empty: add 'primary: <mint unix seconds>,' for the token the agents use."]);
    expect(problemsOf({ 'spare-1': daysAgo(1) })[0]).toMatch(/^there is no 'primary' entry/);
  });

  test('every problem is reported at once, not one per run', () => {
    const problems = problemsOf({ primary: 1776528429000, 'spare-1': 1.5, 'Spare 2': daysAgo(1) });
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(/'primary'.*'spare-1'.*'Spare 2'/s);
  });

  test('an expired token is a warning, not an error, so that the fix stays deployable', () => {
    const mintedAt = daysAgo(400);
    const inventory = buildTokenInventory({ primary: daysAgo(10), 'spare-1': mintedAt }, { now: TEST_NOW });
    const spare = inventory.tokens[1];
    expect(spare.status).toBe('expired');
    expect(spare.daysLeft).toBe(-35);
    expect(spare.expiresAt).toBe(mintedAt + 365 * SECONDS_PER_DAY);
    expect(inventory.warnings).toHaveLength(1);
    expect(inventory.warnings[0]).toMatch(/^'spare-1' EXPIRED at 2026-10-19T00:00:00Z \(35 days ago\)/);
    expect(inventory.warnings[0]).toContain('secret/claude-agent-service-spare-1');
    // One second more: the table's days left (rounded down) is -36, and the warning says the same.
    const later = buildTokenInventory({ primary: daysAgo(10), 'spare-1': mintedAt }, { now: epochSeconds(TEST_NOW + 1) });
    expect(later.tokens[1].daysLeft).toBe(-36);
    expect(later.warnings[0]).toMatch(/\(36 days ago\)/);
  });
});
