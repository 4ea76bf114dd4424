import { spawn, spawnSync } from 'child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { SECONDS_PER_DAY } from '../../inventory/expiry';
import { AppCopy, CommandResult, EPOCH_MAP_FILE, REPO_ROOT } from '../../devkit/app-copy';
import { runCheck } from '../../tools/check';
import { makeToken } from '../helpers/fake-anthropic-api';

/** A throwaway git repository holding a copy of the app, one commit per step. */
class AppRepo extends AppCopy {
  constructor() {
    super();
    this.git('init', '-q', '-b', 'main');
    this.write('.git/info/exclude', 'node_modules\ncdktf.out\n');
    this.commit('base');
  }

  git(...args: string[]): string {
    const run = spawnSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.test', ...args], { cwd: this.dir, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`git ${args.join(' ')}: ${run.stderr}`);
    return run.stdout;
  }

  commit(message: string): void {
    this.git('add', '-A');
    this.git('commit', '-q', '--allow-empty', '-m', message);
  }

  /** `npm run check -- <args>` on the copy, in this process (its synths run in processes of their own). */
  async check(...args: string[]): Promise<CommandResult> {
    let stdout = '';
    let stderr = '';
    // The CRD schemas vendored in the copy: nothing beside the repository.
    const status = await runCheck(args, { projectDir: this.dir, stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) });
    return { status, stdout, stderr };
  }
}

describe('npm run check', () => {
  let repo: AppRepo;
  beforeEach(() => {
    repo = new AppRepo();
  });
  afterEach(() => repo.remove());

  test('reports a rotation between two commits: the token row and the changed attributes only', async () => {
    expect((await repo.tokens(['rotate', 'spare-1', '--record-only', '--minted-at', '2026-11-20T09:30:00Z'])).status).toBe(0);
    repo.commit('rotate spare-1');
    const run = await repo.check('--base', 'HEAD~1', '--format', 'markdown');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const report = run.stdout;
    expect(report).toContain('**Result:** PASS (head: working tree, base: HEAD~1 (');
    expect(report).toMatch(/^\| spare-1 \| 2026-04-18T16:04:40Z -> 2026-11-20T09:30:00Z \| 2027-04-18T16:04:40Z -> 2027-11-20T09:30:00Z \| -?\d+ -> -?\d+ \| healthy \|$/m);
    expect(report).toMatch(/^\| primary \| 2026-04-18T16:07:09Z \| 2027-04-18T16:07:09Z \| \d+ \| healthy \|$/m);
    // In words: the object, old and new expiry with their dates; no internal ids, no checksums.
    expect(report).toContain('- changed ConfigMap claude-oauth-token-expiry in claude-agent\n');
    expect(report).toContain(`  - \`data.spare-1: "1808064280" (2027-04-18T16:04:40Z) -> "${1795167000 + 365 * SECONDS_PER_DAY}" (2027-11-20T09:30:00Z)\``);
    expect(report).toContain('- changed CronJob claude-oauth-expiry-monitor in claude-agent: its script or input (checksum)');
    expect(report).toMatch(/- replaced Job claude-oauth-expiry-monitor-[a-f0-9]{10} -> claude-oauth-expiry-monitor-[a-f0-9]{10} in claude-agent \(the Job runs again\)/);
    expect(report).not.toMatch(/_[A-F0-9]{8}\b|checksum: "/);
    // With --details: every attribute and Terraform's addresses.
    const detailed = (await repo.check('--base', 'HEAD~1', '--format', 'markdown', '--details')).stdout;
    expect(detailed).toContain(`- changed \`kubernetes_config_map_v1.token-expiry_resource_A8D19F4A\` (claude-oauth-token-expiry)`);
    expect(detailed).toMatch(/- changed `kubernetes_cron_job_v1\.[\w-]+` \(claude-oauth-expiry-monitor\)\n {2}- `spec\.job_template\.spec\.template\.metadata\.annotations\.claude-oauth-tokens\/checksum: "[a-f0-9]{64}" -> "[a-f0-9]{64}"`/);
    expect(report).toContain('### Stack monitoring: no deploy needed\nno changes');
    expect(report).toContain('### Stack claude-agent-service: needs deploy');
    expect(report).toContain('**Deploy after merge:** `npm run deploy -- claude-agent-service`');
    expect(report).not.toContain('data.primary'); // unchanged attributes stay out
    expect(report).not.toContain('The deploy restarts'); // a spare moves no agent
    expect(repo.git('status', '--porcelain')).toBe(''); // the user's tree is untouched
    expect(repo.git('worktree', 'list').trim().split('\n')).toHaveLength(1);
  });

  test('a new spare: the Vault policy change shows as the path it grants, and the deploy includes vault-access', async () => {
    expect((await repo.tokens(['rotate', 'spare-3', '--record-only', '--add', '--minted-at', '2026-11-20T09:30:00Z'])).status).toBe(0);
    const report = (await repo.check('--base', 'HEAD')).stdout;
    expect(report).toContain('== Stack vault-access: needs deploy');
    expect(report).toMatch(/^ {2}- policy paths: \+ secret\/data\/claude-agent-service-spare-3$/m);
    expect(report).toContain('Deploy after merge: `npm run deploy -- vault-access claude-agent-service`');
    expect(report).toContain('(vault-access needs Vault admin credentials: VAULT_ADDR, VAULT_TOKEN)');
  });

  test('fails on a token-shaped string in a tracked file, and never prints it whole', async () => {
    const planted = ['sk', 'ant', 'oat01', 'Q'.repeat(24) + 'test'].join('-'); // built here: never committed to this repo
    repo.write('notes.md', `left here by mistake: ${planted}\n`);
    repo.commit('oops');
    const run = await repo.check('--base', 'HEAD~1');
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('Result: FAIL');
    expect(run.stdout).toMatch(/token-shaped string at notes\.md:1 \(tracked file\): sk-ant-oat01-…\(redacted, 41 chars\)/);
    expect(run.stdout).not.toContain(planted);
    expect(run.stderr).not.toContain(planted);
  });

  test('a token pasted into the map: the failure and the echoed synth error show only its prefix and length', async () => {
    const token = makeToken();
    repo.write(EPOCH_MAP_FILE, repo.read(EPOCH_MAP_FILE).replace('primary: 1776528429,', `primary: 1776528429,\n  '${token}': 1776528429,`));
    const run = await repo.check('--base', 'HEAD', '--format', 'markdown');
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/head does not synthesize: .*'sk-ant-oat01-…\(redacted, 108 chars\)' \(stacks\/claude-agent-service\/token-mint-epochs\.ts:\d+\): is a token, not a token path/);
    expect(run.stdout).toMatch(/token-shaped string at stacks\/claude-agent-service\/token-mint-epochs\.ts:\d+ \(tracked file\): sk-ant-oat01-…\(redacted, 108 chars\)/);
    expect(`${run.stdout}${run.stderr}`).not.toContain(token.slice(13, 40));
  });

  test('finds a token in a tracked binary file too', async () => {
    const token = makeToken();
    repo.write('blob.bin', `\u0000\u0001binary\u0000${token}\u0000`);
    repo.commit('a binary file');
    const run = await repo.check('--base', 'HEAD~1');
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('token-shaped string at blob.bin:1 (tracked file): sk-ant-oat01-…(redacted, 108 chars)');
    expect(run.stdout).not.toContain(token.slice(13, 40));
  });

  test('fails when a token is inside the critical window, unless --allow-expiring', async () => {
    const mintedAt = Math.floor(Date.now() / 1000) - 360 * SECONDS_PER_DAY - 3600; // 4 days and 23 hours left, whatever the machine's load
    // --force: rotate itself refuses a mint time that leaves the token critical, unless told.
    expect((await repo.tokens(['rotate', 'spare-2', '--record-only', '--minted-at', String(mintedAt), '--force'])).status).toBe(0);
    repo.commit('an old spare');
    const failing = await repo.check('--base', 'HEAD~1');
    expect(failing.status).toBe(1);
    expect(failing.stdout).toMatch(/- 'spare-2' is critical \(4 days left, expires .*\): rotate it in this change, or pass --allow-expiring/);
    const allowed = await repo.check('--base', 'HEAD~1', '--allow-expiring');
    expect(allowed.status).toBe(0);
    expect(allowed.stdout).toContain('(allowed by --allow-expiring)');
  });

  test('fails on an invalid map in the head, naming the entry', async () => {
    repo.write(EPOCH_MAP_FILE, repo.read(EPOCH_MAP_FILE).replace('primary: 1776528429,', 'primary: 1776528429000,'));
    const invalid = await repo.check('--base', 'HEAD');
    expect(invalid.status).toBe(1);
    expect(invalid.stdout).toMatch(/head does not synthesize: .*mint epoch 1776528429000 is in milliseconds/s);
    // Nothing compared, so nothing is listed as removed, and no deploy is suggested.
    expect(invalid.stdout).not.toMatch(/removed|npm run deploy/);
    expect(invalid.stdout).toContain('Deploy after merge: none: the head does not synthesize, so nothing was compared.');
  });

  test('a rotation of primary says in words which workloads the deploy restarts', async () => {
    expect((await repo.tokens(['rotate', 'primary', '--record-only', '--minted-at', '2026-11-20T09:30:00Z'])).status).toBe(0);
    repo.commit('rotate primary');
    const run = await repo.check('--base', 'HEAD~1');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('The deploy restarts deployment/claude-agent-service in claude-agent, waiting for each rollout.');
  });

  test('any change that runs the restart Job again says the deploy restarts the agents: a new script image, a consumer more', async () => {
    const settings = JSON.parse(repo.read('cdktf.json'));
    repo.write('cdktf.json', JSON.stringify({ ...settings, context: { ...settings.context, scriptImage: 'docker.io/library/node:22.21.0-alpine3.22' } }, null, 2));
    repo.commit('a new script image');
    const image = await repo.check('--base', 'HEAD~1');
    expect(image.status).toBe(0);
    // A new image replaces the Job (its pod template is immutable): it runs again.
    expect(image.stdout).toMatch(/- changed Job claude-oauth-token-restart-[a-f0-9]{10} in claude-agent\n {2}- spec\.template\.spec\.container\[0\]\.image: /);
    expect(image.stdout).toContain('The deploy restarts deployment/claude-agent-service in claude-agent, waiting for each rollout.');
    const consumer = { kind: 'StatefulSet', namespace: 'hermes', name: 'hermes-agent', externalSecret: 'hermes-agent-secrets' };
    const withImage = JSON.parse(repo.read('cdktf.json'));
    repo.write('cdktf.json', JSON.stringify({ ...withImage, context: { ...withImage.context, tokenConsumers: [consumer] } }, null, 2));
    repo.commit('a consumer more');
    const withConsumer = (await repo.check('--base', 'HEAD~1')).stdout;
    expect(withConsumer).toMatch(/The deploy restarts .*statefulset\/hermes-agent in hermes/);
    // The new Role in the consumer's namespace is its own line, named with that namespace.
    expect(withConsumer).toMatch(/^- added Role claude-oauth-token-restart\S* in hermes$/m);
    // A change that leaves the restart Job alone restarts nothing.
    expect((await repo.tokens(['rotate', 'spare-1', '--record-only', '--minted-at', '2026-11-20T09:30:00Z'])).status).toBe(0);
    repo.commit('rotate spare-1');
    expect((await repo.check('--base', 'HEAD~1')).stdout).not.toContain('The deploy restarts');
  });

  test("the base's output is kept by its tree: a re-run reuses it, --no-cache synthesizes afresh", async () => {
    repo.write('unique.txt', `${process.pid}-${Date.now()}\n`); // a base tree no other test shares
    repo.commit('a base of its own');
    expect((await repo.tokens(['rotate', 'spare-1', '--record-only', '--minted-at', '2026-11-20T09:30:00Z'])).status).toBe(0);
    const first = (await repo.check('--base', 'HEAD')).stdout;
    expect(first).toContain('data.spare-1: "1808064280" (2027-04-18T16:04:40Z) -> ');

    // Make the kept output say spare-1 was something else: only a run that reuses it can show that.
    const cacheDir = path.join(REPO_ROOT, 'node_modules', '.cache', 'claude-oauth-tokens', 'check-base');
    const [newest] = readdirSync(cacheDir).map((name) => ({ name, mtime: statSync(path.join(cacheDir, name)).mtimeMs })).sort((a, b) => b.mtime - a.mtime);
    const stackFile = path.join(cacheDir, newest.name, 'stacks', 'claude-agent-service', 'cdk.tf.json');
    writeFileSync(stackFile, readFileSync(stackFile, 'utf8').replace('"spare-1": "1808064280"', '"spare-1": "1111111111"'));
    expect((await repo.check('--base', 'HEAD')).stdout).toContain('data.spare-1: "1111111111" (2005-03-18T01:58:31Z) -> ');
    expect((await repo.check('--base', 'HEAD', '--no-cache')).stdout).toContain('data.spare-1: "1808064280" (2027-04-18T16:04:40Z) -> ');
  });

  test('killed mid-run (SIGTERM), it leaves no temporary folder and no registered worktree; a later run clears what a SIGKILL left', async () => {
    const child = spawn(process.execPath, ['-r', './tools/register-ts.js', 'tools/check.ts', '--base', 'HEAD', '--no-cache'], { cwd: repo.dir, env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 30_000;
    while (repo.git('worktree', 'list').trim().split('\n').length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(repo.git('worktree', 'list').trim().split('\n')).toHaveLength(2); // the base checked out, mid-run
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

/**
 * A head whose code differs from this checkout's synthesizes in a process of its own; one such head
 * carries three changes, each asserted on its own.
 */
describe('npm run check on a head whose code changed', () => {
  let repo: AppRepo;
  let run: CommandResult;
  beforeAll(async () => {
    repo = new AppRepo();
    // The monitor program changes.
    repo.write('lambda-src/contract.ts', `${repo.read('lambda-src/contract.ts')}\nexport const NOTE = 'changed';\nconsole.log(NOTE);\n`);
    // A construct assembles a token-shaped label at synth time: git grep sees only its parts.
    const labels = 'constructs/labels.ts';
    repo.write(labels, repo.read(labels).replace("'app.kubernetes.io/managed-by': 'cdktf',", "'app.kubernetes.io/managed-by': 'cdktf',\n    note: ['sk', 'ant', 'oat01', 'Q'.repeat(40)].join('-'),"));
    // The token's ExternalSecret asks for an API version the CRD no longer serves.
    const construct = 'constructs/external-secret-manifest.ts';
    repo.write(construct, repo.read(construct).replace("apiVersion: 'external-secrets.io/v1',", "apiVersion: 'external-secrets.io/v1beta1',"));
    run = await repo.check('--base', 'HEAD');
  });
  afterAll(() => repo.remove());

  test('shows the bundled monitor script by size and hash, not as a blob', () => {
    expect(run.stdout).toMatch(/^ {2}- data\.monitor\.js: changed, \d+ bytes, sha256 [a-f0-9]{12} -> [a-f0-9]{12}$/m);
    expect(run.stdout).not.toContain('function'); // no script text in the report
  });

  test('finds a token that only the synth output holds (built at synth, in no tracked file)', () => {
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/token-shaped string at stacks\/claude-agent-service\/cdk\.tf\.json \(synth output\): sk-ant-oat01-…\(redacted, 53 chars\)/);
    expect(run.stdout).not.toMatch(/\(tracked file\)/);
    expect(run.stdout).not.toContain('Q'.repeat(20));
  });

  test('fails on a CRD-schema violation in the head', () => {
    expect(run.stdout).toContain('CRD schema: claude-agent-service: ExternalSecret/claude-oauth-token');
    expect(run.stdout).toContain('external-secrets.io/v1beta1 ExternalSecret is not served by the CRD');
  });
});
