import { spawnSync } from 'child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { SECONDS_PER_DAY } from '../../inventory/expiry';
import { AppCopy, EPOCH_MAP_FILE } from '../../devkit/app-copy';
import { makeToken } from '../helpers/fake-anthropic-api';

const MINTED = 1776528429; // primary and spare-2 in the example map
const EXPIRES = MINTED + 365 * SECONDS_PER_DAY;

describe('the Vault line tokens prints, run as printed in a shell', () => {
  let app: AppCopy;
  let bin: string;
  beforeAll(() => {
    app = new AppCopy();
    // Records how it was called: its arguments, and its standard input byte for byte.
    bin = mkdtempSync(path.join(tmpdir(), 'vault-cli-'));
    writeFileSync(path.join(bin, 'vault'), `#!/bin/sh\nprintf '%s\\n' "$*" > "${bin}/args"\ncat > "${bin}/stdin"\n`);
    chmodSync(path.join(bin, 'vault'), 0o755);
  });
  afterAll(() => {
    app.remove();
    rmSync(bin, { recursive: true, force: true });
  });

  test.each([
    ['an existing path: patch (keeps the other fields)', ['rotate', 'spare-1', '--record-only', '--minted-at', '1776528429'], 'kv patch secret/claude-agent-service-spare-1 claude_oauth_token=-'],
    ['a new path: put (patch answers 404 for a secret not there yet)', ['rotate', 'spare-7', '--record-only', '--add', '--minted-at', '1776528429'], 'kv put secret/claude-agent-service-spare-7 claude_oauth_token=-'],
  ])('%s; the token reaches Vault on stdin without the pasted newline, and never in argv', async (_name, args, vaultArgs) => {
    const run = await app.tokens(args);
    expect(run.status).toBe(0);
    const line = /^ {7}(read -rs TOKEN .*)$/m.exec(run.stdout)![1];
    const token = makeToken();
    const shell = spawnSync('bash', ['-c', line], { input: `${token}\n`, encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
    expect(shell.status).toBe(0);
    expect(readFileSync(path.join(bin, 'stdin'), 'utf8')).toBe(token);
    expect(readFileSync(path.join(bin, 'args'), 'utf8')).toBe(`${vaultArgs}\n`);
    expect(`${shell.stdout}${shell.stderr}`).not.toContain(token.slice(20));
  });
});

describe('npm run tokens', () => {
  let app: AppCopy;
  beforeEach(() => {
    app = new AppCopy();
  });
  afterEach(() => app.remove());

  const changedLines = (before: string, after: string) => {
    const [a, b] = [before.split('\n'), after.split('\n')];
    expect(b).toHaveLength(a.length);
    return a.flatMap((line, i) => (line === b[i] ? [] : [{ before: line, after: b[i] }]));
  };

  test('as its own process (the entry point): rotate rewrites exactly one line, date comment included, and a following synth shows the new expiry', () => {
    const before = app.read(EPOCH_MAP_FILE);
    const run = app.run('tokens', ['rotate', 'spare-1', '--record-only', '--minted-at', '2026-11-20T09:30:00Z']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(changedLines(before, app.read(EPOCH_MAP_FILE))).toEqual([
      { before: "  'spare-1': 1776528280, // 2026-04-18T16:04:40Z", after: "  'spare-1': 1795167000, // 2026-11-20T09:30:00Z" },
    ]);
    expect(run.stdout).toContain("Rotated 'spare-1' in stacks/claude-agent-service/token-mint-epochs.ts: minted 2026-11-20T09:30:00Z, expires 2027-11-20T09:30:00Z (");
    // The same count of days as `status` shows: one function everywhere.
    expect(run.stdout).toMatch(/expires 2027-11-20T09:30:00Z \((\d+) days left, as status counts them\)\./);
    // Recorded, not stored: the map now claims a token Vault may not hold, and the output says so before any step.
    expect(run.stdout).toMatch(/\nRecorded only: the map now claims a token Vault may not hold yet\. Until step 2 stores it, do not merge this change/);
    expect(run.stdout).toContain('(rotate spare-1 --store stores and records in one run.)');
    expect(run.stdout).toContain(`read -rs TOKEN && printf '%s' "$TOKEN" | vault kv patch secret/claude-agent-service-spare-1 claude_oauth_token=- ; unset TOKEN`);
    expect(run.stdout).toContain('npm run deploy -- claude-agent-service');
    expect(run.stdout).toContain('A spare is not in use: no agent restarts.');
    // The settings (here from the environment) decide the printed commands: an installed Pushgateway puts monitoring in the deploy.
    const withGateway = app.run('tokens', ['rotate', 'spare-2', '--record-only', '--minted-at', '2026-11-20T09:30:00Z'], { CDKTF_CONTEXT_JSON: JSON.stringify({ pushgateway: { deploy: {} } }) });
    expect(withGateway.stdout).toContain('Deploy: (after merge) npm run deploy -- monitoring claude-agent-service');
    const badSettings = app.run('tokens', ['status'], { CDKTF_CONTEXT_JSON: '{"tokenProbe": "maybe"}' });
    expect(badSettings.status).toBe(1);
    expect(badSettings.stderr).toContain('CDKTF_CONTEXT_JSON context.tokenProbe is "maybe"');

    expect(app.synth().status).toBe(0);
    const expiryMap: any = Object.values(app.stackJson('claude-agent-service').resource.kubernetes_config_map_v1).find(
      (configMap: any) => configMap.metadata.name === 'claude-oauth-token-expiry',
    );
    expect(expiryMap.data['spare-1']).toBe(String(1795167000 + 365 * SECONDS_PER_DAY));
    expect(expiryMap.data.primary).toBe(String(EXPIRES));
  });

  test('rotate accepts now and unix seconds, and refuses what synth would refuse, writing nothing', async () => {
    const before = app.read(EPOCH_MAP_FILE);
    const started = Math.floor(Date.now() / 1000);
    expect((await app.tokens(['rotate', 'primary', '--record-only'])).status).toBe(0);
    const [change] = changedLines(before, app.read(EPOCH_MAP_FILE));
    const written = Number(/primary: (\d+),/.exec(change.after)![1]);
    expect(written).toBeGreaterThanOrEqual(started);
    expect(written).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));

    const current = app.read(EPOCH_MAP_FILE);
    const milliseconds = await app.tokens(['rotate', 'primary', '--record-only', '--minted-at', '1776528429000']);
    expect(milliseconds.status).toBe(1);
    expect(milliseconds.stderr).toContain('--minted-at "1776528429000" has 13 digits: that is milliseconds; write seconds, 1776528429 (2026-04-18T16:07:09Z)');
    const future = await app.tokens(['rotate', 'primary', '--record-only', '--minted-at', String(started + 7 * SECONDS_PER_DAY)]);
    expect(future.status).toBe(2);
    expect(future.stderr).toMatch(/is in the future/);
    const vague = await app.tokens(['rotate', 'primary', '--record-only', '--minted-at', '2026-11-20']);
    expect(vague.status).toBe(1);
    expect(vague.stderr).toContain('an ISO 8601 time with a zone (e.g. 2026-04-18T16:07:09Z)');
    expect(app.read(EPOCH_MAP_FILE)).toBe(current);
  });

  test('rotate refuses an unknown path unless --add, which appends one line; remove retires a spare but never primary', async () => {
    const unknown = await app.tokens(['rotate', 'spare-3', '--record-only']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain("'spare-3' is not in stacks/claude-agent-service/token-mint-epochs.ts (known: primary, spare-1, spare-2). To add a new token path, repeat with --add.");

    const before = app.read(EPOCH_MAP_FILE);
    expect((await app.tokens(['rotate', 'spare-3', '--record-only', '--add', '--minted-at', String(MINTED)])).status).toBe(0);
    const after = app.read(EPOCH_MAP_FILE).split('\n');
    expect(after.length).toBe(before.split('\n').length + 1);
    expect(after).toContain("  'spare-3': 1776528429, // 2026-04-18T16:07:09Z");
    expect((await app.tokens(['rotate', 'Spare 4', '--record-only', '--add'])).status).toBe(2);

    const removed = await app.tokens(['remove', 'spare-3']);
    expect(removed.status).toBe(0);
    expect(removed.stdout).toContain('vault kv metadata delete secret/claude-agent-service-spare-3');
    expect(app.read(EPOCH_MAP_FILE)).toBe(before);

    const primary = await app.tokens(['remove', 'primary']);
    expect(primary.status).toBe(1);
    expect(primary.stderr).toContain("'primary' is the token the agents use and cannot be removed");
    expect(app.read(EPOCH_MAP_FILE)).toBe(before);
  });

  test.each([
    [31, 31, 'healthy', false, false],
    [30 + 1 / SECONDS_PER_DAY, 30, 'healthy', false, false],
    [30, 30, 'healthy', false, false],
    [30 - 1 / SECONDS_PER_DAY, 29, 'warning', true, false],
    [7, 7, 'warning', true, false],
    [7 - 1 / SECONDS_PER_DAY, 6, 'critical', true, false],
    [1 / SECONDS_PER_DAY, 0, 'critical', true, false],
    [0, 0, 'expired', true, true],
    [-1, -1, 'expired', true, true],
  ])('status --json with %f days left: days_remaining %i, %s', async (daysLeft, daysRemaining, status, needsRefresh, isExpired) => {
    const at = Math.round(EXPIRES - daysLeft * SECONDS_PER_DAY);
    const run = await app.tokens(['status', '--json', '--at', String(at)]);
    expect(run.status).toBe(0);
    const [primary] = JSON.parse(run.stdout);
    expect(primary).toEqual({
      path: 'primary',
      vault_path: 'secret/claude-agent-service',
      minted: '2026-04-18T16:07:09Z',
      expires: '2027-04-18T16:07:09Z',
      days_remaining: daysRemaining,
      is_expired: isExpired,
      needs_refresh: needsRefresh,
      status,
    });
  });

  test('status --fail-under-days exits 3 when a token is short, for a scheduled CI job', async () => {
    const at = String(EXPIRES - 20 * SECONDS_PER_DAY);
    const short = await app.tokens(['status', '--fail-under-days', '21', '--at', at]);
    expect(short.status).toBe(3);
    expect(short.stderr).toContain("'primary' has 20 days left");
    expect(short.stdout).toMatch(/^primary .* 20 +warning$/m);
    // spare-1 was minted 149 s before primary: 19 whole days left, so 19 is the bar everything clears.
    expect((await app.tokens(['status', '--fail-under-days', '19', '--at', at])).status).toBe(0);
  });

  test('usage errors exit 1 with the usage', async () => {
    for (const args of [['frobnicate'], ['status', '--jsno'], ['status', '--fail-under-days'], ['rotate'], ['remove']]) {
      const run = await app.tokens(args);
      expect({ args, status: run.status }).toEqual({ args, status: 1 });
      expect(run.stderr).toMatch(/^tokens: /);
    }
  });

  test('the conventions of kubectl and vault: --version prints the version, -o json is --json, another output is refused', async () => {
    const version = await app.tokens(['--version']);
    expect(version).toEqual({ status: 0, stdout: `claude-oauth-tokens ${JSON.parse(app.read('package.json')).version}\n`, stderr: '' });
    const json = await app.tokens(['status', '--json']);
    expect(await app.tokens(['status', '-o', 'json'])).toEqual(json);
    expect(await app.tokens(['status', '--output=json'])).toEqual(json);
    const yaml = await app.tokens(['status', '-o', 'yaml']);
    expect(yaml.status).toBe(1);
    expect(yaml.stderr).toBe('tokens: --output "yaml": the only output is json (-o json, as --json); leave it out for the table.\n');
  });

  test('through npm, the commands that read a token refuse and name the command without npm (the terminal echoes while npm starts)', () => {
    for (const args of [['probe', '--stdin'], ['rotate', 'primary', '--store']]) {
      const run = app.run('tokens', args, { npm_lifecycle_event: 'tokens' }, makeToken());
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(`Run it without npm: node bin/tokens.js ${args.join(' ')}`);
    }
    // Everything else runs through npm as before.
    expect(app.run('tokens', ['status'], { npm_lifecycle_event: 'tokens' }).status).toBe(0);
  });
});
