import { spawn, spawnSync, SpawnSyncReturns } from 'child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { runSynth } from '../main';
import { runTokensInProject } from '../tools/tokens';
import { nowInSeconds } from '../inventory/expiry';

export const REPO_ROOT = path.resolve(__dirname, '..');
export const EPOCH_MAP_FILE = 'stacks/claude-agent-service/token-mint-epochs.ts';

/** What a command left: its exit status and its output. */
export interface CommandResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Left behind: outputs, state, history, and the tests themselves. */
const NOT_COPIED = new Set(['cdktf.out', '.git', '__tests__', 'coverage', '.gen', '.terraform']);
/**
 * Linked, not copied: what no test of a copy edits and what is most of its bytes (the dependencies,
 * the vendored CRD schemas, the Go tools' modules, the lock file). Copying them cost about 90 ms a copy.
 */
const LINKED = new Set(['node_modules', 'schemas', 'gotools', 'package-lock.json']);

/** Copies a file or folder: fs.cpSync checks every path it copies, and cost three times as much here. */
function copyTree(from: string, to: string): void {
  if (!statSync(from).isDirectory()) return copyFileSync(from, to);
  mkdirSync(to);
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (entry.isDirectory()) copyTree(path.join(from, entry.name), path.join(to, entry.name));
    else copyFileSync(path.join(from, entry.name), path.join(to, entry.name));
  }
}

/**
 * A throwaway copy of the app that a test may edit (its epoch map, its cdktf.json) and synthesize
 * exactly as `npm run synth` does, without touching the working tree.
 */
export class AppCopy {
  readonly dir: string;

  constructor() {
    this.dir = mkdtempSync(path.join(tmpdir(), 'claude-oauth-tokens-app-'));
    for (const entry of readdirSync(REPO_ROOT)) {
      if (NOT_COPIED.has(entry) || entry.endsWith('.tfstate')) continue;
      if (LINKED.has(entry)) symlinkSync(path.join(REPO_ROOT, entry), path.join(this.dir, entry));
      else copyTree(path.join(REPO_ROOT, entry), path.join(this.dir, entry));
    }
  }

  read(file: string): string {
    return readFileSync(path.join(this.dir, file), 'utf8');
  }

  write(file: string, text: string): void {
    writeFileSync(path.join(this.dir, file), text);
  }

  /** Replaces the entries of the epoch map, keeping its header, as a person editing it would. */
  writeEpochMapEntries(lines: string[]): void {
    const text = this.read(EPOCH_MAP_FILE);
    const head = text.slice(0, text.indexOf('= {') + '= {'.length);
    this.write(EPOCH_MAP_FILE, `${head}\n${lines.map((line) => `  ${line}`).join('\n')}\n};\n`);
  }

  /**
   * Synthesizes the copy's settings and epoch map with this checkout's code, in this process, as
   * `npm run synth` does (`main.ts` runs the same `runSynth`); `CDKTF_CONTEXT_JSON` as the CLI sets it.
   */
  synth(env: { readonly CDKTF_CONTEXT_JSON?: string } = {}): CommandResult {
    let stdout = '';
    let stderr = '';
    const status = runSynth({
      projectDir: this.dir,
      outdir: path.join(this.dir, 'cdktf.out'),
      contextOverride: env.CDKTF_CONTEXT_JSON,
      stdout: (text) => (stdout += `${text}\n`),
      stderr: (text) => (stderr += `${text}\n`),
    });
    return { status, stdout, stderr };
  }

  /**
   * Runs `npm run tokens -- <args>` on the copy in this process (the repository's code, the copy's
   * cdktf.json and map), with `input` as standard input and `CDKTF_CONTEXT_JSON` as the CLI sets it.
   */
  async tokens(args: readonly string[], env: { readonly CDKTF_CONTEXT_JSON?: string } = {}, input = ''): Promise<CommandResult> {
    let stdout = '';
    let stderr = '';
    const status = await runTokensInProject(args, {
      projectDir: this.dir,
      contextOverride: env.CDKTF_CONTEXT_JSON,
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
      stdin: () => input,
      now: nowInSeconds,
    });
    return { status, stdout, stderr };
  }

  /** Runs the `synth` script of package.json in a child process, as `npm run synth` would, without npm's start-up. */
  synthInChildProcess(env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
    return this.run('synth', [], env);
  }

  /** Runs a script of package.json with arguments, as `npm run <script> -- <args>` would. */
  run(script: string, args: readonly string[] = [], env: NodeJS.ProcessEnv = {}, input?: string): SpawnSyncReturns<string> {
    const command = this.packageScript(script);
    return spawnSync('sh', ['-c', `${command} "$@"`, script, ...args], {
      cwd: this.dir,
      encoding: 'utf8',
      input,
      env: { ...process.env, CHECKPOINT_DISABLE: '1', CDKTF_CONTEXT_JSON: undefined, CDKTF_OUTDIR: undefined, ...env },
      timeout: 120_000,
    });
  }

  /**
   * As `run`, without blocking this process: for commands that talk to a server the test itself runs
   * (a synchronous spawn would freeze that server until the command gave up).
   */
  runAsync(script: string, args: readonly string[] = [], input = '', env: NodeJS.ProcessEnv = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
    const command = this.packageScript(script);
    return new Promise((resolve, reject) => {
      const child = spawn('sh', ['-c', `${command} "$@"`, script, ...args], {
        cwd: this.dir,
        env: { ...process.env, CHECKPOINT_DISABLE: '1', ...env },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.on('error', reject);
      child.on('close', (status) => resolve({ status, stdout, stderr }));
      child.stdin.end(input);
    });
  }

  /** Runs an installed binary of node_modules/.bin (e.g. the real `cdktf` CLI) in the copy. */
  runBin(bin: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
    return spawnSync(path.join(this.dir, 'node_modules', '.bin', bin), args, {
      cwd: this.dir,
      encoding: 'utf8',
      env: { ...process.env, CHECKPOINT_DISABLE: '1', CI: 'true', CDKTF_CONTEXT_JSON: undefined, CDKTF_OUTDIR: undefined, ...env },
      timeout: 180_000,
    });
  }

  /** A synthesized stack's Terraform JSON, for a test to walk (untyped: any path it asserts on may be absent). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
  stackJson(stack: string): Record<string, any> {
    return JSON.parse(this.read(`cdktf.out/stacks/${stack}/cdk.tf.json`)) as Record<string, unknown>;
  }

  private packageScript(script: string): string {
    const command = (JSON.parse(this.read('package.json')) as { scripts: Record<string, string | undefined> }).scripts[script];
    if (command === undefined) throw new Error(`package.json has no script '${script}'`);
    return command;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
