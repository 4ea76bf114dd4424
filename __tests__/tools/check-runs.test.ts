import { spawn, spawnSync } from 'child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { AppRepo } from '../helpers/app-repo';
import { cachedBaseOutput } from '../../tools/check-synth';

describe("npm run check: runs, the base's cache, kills and cannot-run exits", () => {
  let repo: AppRepo;
  beforeEach(() => {
    repo = new AppRepo();
  });
  afterEach(() => repo.remove());

  test("the base's output is kept by its tree: a re-run reuses it, --no-cache synthesizes afresh", async () => {
    repo.write('unique.txt', `${process.pid}-${Date.now()}\n`); // a base tree no other test shares
    repo.commit('a base of its own');
    expect((await repo.tokens(['rotate', 'spare-1', '--record-only', '--minted-at', '2026-11-20T09:30:00Z'])).status).toBe(0);
    const first = (await repo.check('--base', 'HEAD')).stdout;
    expect(first).toContain('data.spare-1: "1808064280" (2027-04-18T16:04:40Z) -> ');

    // Make the kept output say spare-1 was something else: only a run that reuses it can show that.
    const kept = cachedBaseOutput(repo.git('rev-parse', 'HEAD^{tree}').trim());
    const stackFile = path.join(kept, 'stacks', 'claude-agent-service', 'cdk.tf.json');
    writeFileSync(stackFile, readFileSync(stackFile, 'utf8').replace('"spare-1": "1808064280"', '"spare-1": "1111111111"'));
    expect((await repo.check('--base', 'HEAD')).stdout).toContain('data.spare-1: "1111111111" (2005-03-18T01:58:31Z) -> ');
    expect((await repo.check('--base', 'HEAD', '--no-cache')).stdout).toContain('data.spare-1: "1808064280" (2027-04-18T16:04:40Z) -> ');
  });

  test('killed mid-run (SIGTERM), it leaves no temporary folder and no registered worktree; a later run clears what a SIGKILL left', async () => {
    const child = spawn(process.execPath, ['-r', './tools/register-ts.js', 'tools/check.ts', '--base', 'HEAD', '--no-cache'], { cwd: repo.dir, env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 30_000;
    // Polled while git is writing the worktree's files: a list that fails midway means not yet.
    const registered = () => {
      const list = spawnSync('git', ['worktree', 'list'], { cwd: repo.dir, encoding: 'utf8' });
      return list.status === 0 ? list.stdout.trim().split('\n').length : 0;
    };
    while (registered() < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(registered()).toBe(2); // the base checked out, mid-run
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(repo.git('worktree', 'list').trim().split('\n')).toHaveLength(1);
    expect(readdirSync(tmpdir()).filter((entry) => entry.startsWith(`claude-oauth-tokens-check-${child.pid}-`))).toEqual([]);

    // What a SIGKILL leaves: the folder of a process that is gone, its worktree still registered.
    const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
    const leftover = path.join(tmpdir(), `claude-oauth-tokens-check-${dead}-left`);
    mkdirSync(leftover);
    repo.git('worktree', 'add', '--detach', path.join(leftover, 'base-tree'), 'HEAD');
    expect(repo.git('worktree', 'list').trim().split('\n')).toHaveLength(2);
    expect((await repo.check('--base', 'HEAD')).status).toBe(0);
    expect(existsSync(leftover)).toBe(false);
    expect(repo.git('worktree', 'list').trim().split('\n')).toHaveLength(1);
  });

  test('cannot-run problems exit 2 with a reason', async () => {
    const badBase = await repo.check('--base', 'no-such-ref');
    expect(badBase.status).toBe(2);
    expect(badBase.stderr).toContain('check: --base no-such-ref is not a commit here');
    const noCrds = await repo.check('--crd-dir', '/nonexistent/crds');
    expect(noCrds.status).toBe(2);
    expect(noCrds.stderr).toContain('no CRD schemas at /nonexistent/crds');
  });

  test('as its own process (the entry point): the report on stdout and exit 0, a cannot-run reason on stderr and exit 2', () => {
    const pass = repo.run('check', ['--base', 'HEAD']);
    expect({ status: pass.status, stderr: pass.stderr }).toEqual({ status: 0, stderr: '' });
    expect(pass.stdout).toMatch(/^claude-oauth-tokens synth check\n\nResult: PASS \(head: working tree, base: HEAD \([0-9a-f]{8}\)\)\n/);
    const cannotRun = repo.run('check', ['--format', 'html']);
    expect({ status: cannotRun.status, stdout: cannotRun.stdout, stderr: cannotRun.stderr }).toEqual({ status: 2, stdout: '', stderr: 'check: --format html: use markdown or text.\n' });
  });
});
