import { spawnSync } from 'child_process';
import { lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import * as path from 'path';
import { SECONDS_PER_DAY } from '../../inventory/expiry';
import { DEFAULT_SETTINGS } from '../../settings/app-settings';
import { runTokens } from '../../tools/tokens';
import { AppCopy, EPOCH_MAP_FILE } from '../../devkit/app-copy';
import { EXAMPLE, MapFolder, NOW } from '../helpers/map-folder';


describe('tokens: silent mistakes are caught before they reach review', () => {
  let folder: MapFolder;
  beforeEach(() => {
    folder = new MapFolder();
  });
  afterEach(() => folder.remove());

  test('rotate --minted-at so far back that the token is already critical or expired needs --force', async () => {
    for (const [mintedAt, why] of [
      ['2025-11-01T00:00:00Z', 'already expired'],
      [String(NOW - 360 * SECONDS_PER_DAY), 'inside the 7-day critical window'],
    ]) {
      const refused = await folder.run(['rotate', 'spare-2', '--record-only', '--minted-at', mintedAt]);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toContain(`${why}. Recording it would page at once.`);
      expect(refused.stderr).toContain('add --force. Nothing was written.');
      expect(folder.text).toBe(EXAMPLE);
    }
    const forced = await folder.run(['rotate', 'spare-2', '--record-only', '--minted-at', String(NOW - 360 * SECONDS_PER_DAY), '--force']);
    expect(forced.status).toBe(0);
    // 40 days back is healthy: no --force needed.
    expect((await folder.run(['rotate', 'spare-1', '--record-only', '--minted-at', String(NOW - 40 * SECONDS_PER_DAY)])).status).toBe(0);
  });

  test('a mint a few minutes ahead of this clock (inside the skew synth allows) is recorded, and status does not blame an --at never given', async () => {
    expect((await folder.run(['rotate', 'spare-1', '--record-only', '--minted-at', String(NOW + 300)])).status).toBe(0);
    const status = await folder.run(['status']);
    expect(status.stderr).toBe('');
    expect(status.status).toBe(0);
  });

  test('a symlinked map is refused, not replaced by a regular file', async () => {
    const target = path.join(folder.dir, 'real-map.ts');
    writeFileSync(target, EXAMPLE);
    rmSync(folder.file);
    symlinkSync(target, folder.file);
    const run = await folder.run(['rotate', 'spare-1', '--record-only']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('is a symbolic link: the map must be a regular file');
    expect(lstatSync(folder.file).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe(EXAMPLE);
  });
});

describe('tokens: concurrent edits serialize', () => {
  test('sixteen rotations started at the same instant, after a killed run left its lock, all land, and leave no lock or temp file', async () => {
    const app = new AppCopy();
    try {
      // What a rotation killed while holding the lock leaves: the lock, naming a pid that is gone.
      const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
      mkdirSync(path.join(app.dir, `${EPOCH_MAP_FILE}.lock`));
      writeFileSync(path.join(app.dir, `${EPOCH_MAP_FILE}.lock`, `owner.${dead}.${'c'.repeat(16)}`), '');
      const spares = Array.from({ length: 16 }, (_, i) => `race-${i}`);
      const runs = await Promise.all(spares.map((spare, i) => app.runAsync('tokens', ['rotate', spare, '--record-only', '--add', '--minted-at', String(1776528429 + i)])));
      expect(runs.map((run) => run.status)).toEqual(spares.map(() => 0));
      expect(runs.map((run) => run.stdout).join('')).not.toMatch(/another run/);
      const text = app.read(EPOCH_MAP_FILE);
      for (const [i, spare] of spares.entries()) expect(text).toContain(`'${spare}': ${1776528429 + i},`);
      expect(readdirSync(path.join(app.dir, path.dirname(EPOCH_MAP_FILE))).filter((name) => /\.(lock|tmp)$/.test(name))).toEqual([]);
    } finally {
      app.remove();
    }
  }, 60_000);
});

describe('tokens promote: fail over to a spare in one validated edit', () => {
  let folder: MapFolder;
  afterEach(() => folder.remove());

  test("primary takes the spare's mint time, the spare's line goes, and the failover is printed in order", async () => {
    folder = new MapFolder(EXAMPLE.replace(/'spare-1': 1776528280,.*$/m, "'spare-1': 1790000000, // 2026-09-21T14:13:20Z"));
    const run = await folder.run(['promote', 'spare-1']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(folder.text).toBe(EXAMPLE.replace('  primary: 1776528429, // 2026-04-18T16:07:09Z', '  primary: 1790000000, // 2026-09-21T14:13:20Z').replace("  'spare-1': 1776528280, // 2026-04-18T16:04:40Z\n", ''));
    const lines = run.stdout.split('\n');
    const step = (n: number) => lines.findIndex((line) => line.startsWith(`  ${n}.`));
    expect(lines[step(1) + 2]).toBe('       vault kv get -field=claude_oauth_token secret/claude-agent-service-spare-1 | vault kv patch secret/claude-agent-service claude_oauth_token=-');
    // The spare's mint time, recorded for the version the copy wrote, so drift detection agrees with the map.
    expect(lines[step(1) + 3]).toBe(
      '       vault kv metadata patch -custom-metadata=minted_at=2026-09-21T14:13:20Z -custom-metadata=expires_at=2027-09-21T14:13:20Z -custom-metadata=recorded_by=claude-oauth-tokens ' +
        '-custom-metadata=minted_version="$(vault kv metadata get -format=json secret/claude-agent-service | jq -r .data.current_version)" secret/claude-agent-service',
    );
    expect(lines[step(2)]).toContain('npm run deploy -- vault-access claude-agent-service');
    expect(lines[step(3) + 1]).toBe('     For primary the deploy also has ESO sync the new token into each consumer and restarts deployment/claude-agent-service in claude-agent, waiting for each rollout.');
    expect(step(1)).toBeLessThan(step(2));
  });

  test.each([
    [['promote', 'primary'], 1, "'primary' is already the token the agents use"],
    [['promote', 'spare-9'], 1, "'spare-9' is not in"],
    [['promote'], 1, "'promote' takes one token path"],
    [['promote', 'Spare 1'], 2, 'is not a valid token path'],
  ])('%j is refused (exit %i), nothing written', async (argv, status, message) => {
    folder = new MapFolder();
    const run = await folder.run(argv);
    expect(run.status).toBe(status);
    expect(run.stderr).toContain(message);
    expect(folder.text).toBe(EXAMPLE);
  });

  test.each([
    ['critical', 360, "'spare-2' is critical (5 days left"],
    ['expired', 400, "'spare-2' is expired (-35 days left"],
  ])('a spare that is %s is refused: it would only move the outage', async (_status, ageDays, message) => {
    folder = new MapFolder(EXAMPLE.replace(/'spare-2': 1776528429,.*$/m, `'spare-2': ${NOW - ageDays * SECONDS_PER_DAY},`));
    const before = folder.text;
    const run = await folder.run(['promote', 'spare-2']);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain('promoting it would only move the outage');
    expect(folder.text).toBe(before);
  });

  test('with agentWorkload off, the playbook gives the sync and restart commands instead', async () => {
    folder = new MapFolder();
    let stdout = '';
    await runTokens(['rotate', 'primary', '--record-only'], {
      stdout: (text) => (stdout += text),
      stderr: () => undefined,
      stdin: () => '',
      now: () => NOW,
      epochMapFile: folder.file,
      settings: { ...DEFAULT_SETTINGS, agentWorkload: undefined, namespace: 'agents' },
    });
    expect(stdout).toContain('kubectl -n agents annotate externalsecret claude-oauth-token force-sync=$(date +%s) --overwrite');
    expect(stdout).toContain("kubectl -n agents rollout restart deployment/<the agents' Deployment>");
  });

  test('the thresholds are one policy: with warningDays 200, status, the JSON and the alert rules all say warning', async () => {
    folder = new MapFolder();
    const settings = { ...DEFAULT_SETTINGS, expiryThresholds: { warningDays: 200, criticalDays: 7 } };
    let stdout = '';
    const io = { stdout: (text: string) => (stdout += text), stderr: () => undefined, stdin: () => '', now: () => NOW, epochMapFile: folder.file, settings };
    expect(await runTokens(['status', '--json'], io)).toBe(0);
    expect(JSON.parse(stdout).map((row: any) => [row.path, row.days_remaining, row.status, row.needs_refresh])).toEqual([
      ['primary', 146, 'warning', true],
      ['spare-1', 146, 'warning', true],
      ['spare-2', 146, 'warning', true],
    ]);
    stdout = '';
    expect(await runTokens(['status', '--json'], { ...io, settings: DEFAULT_SETTINGS })).toBe(0);
    expect(JSON.parse(stdout)[0].status).toBe('healthy');
  });
});
