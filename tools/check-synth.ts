/**
 * How `check` synthesizes its two sides. The head is the working tree: when its code is the code this
 * process runs (always, for `npm run check` in the project), it synthesizes here, with `runSynth`;
 * otherwise in a process of its own. The base is a commit: checked out in a temporary worktree (the
 * user's tree is never touched) and synthesized in a process of its own, since its code may differ;
 * its output is kept by the commit's tree, so a re-run against the same base synthesizes it once.
 */
import { spawn, spawnSync } from 'child_process';
import { createHash } from 'crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync } from 'fs';
import * as path from 'path';
import { runSynth } from '../main';
import { EPOCH_MAP_FILE, REPO_ROOT } from '../settings/project-paths';
import { readSynthesizedStacks, StackJson } from '../stacks/synth-output';

/** One side's synth: its stacks, its map's text, and why synth failed, if it did. */
export interface SynthOutcome {
  readonly stacks: Readonly<Record<string, StackJson>>;
  /** The epoch map's text, or undefined when the tree has none. */
  readonly epochMapText?: string;
  /** Synth's own message when it failed. */
  readonly error?: string;
  /** Where its output is (scanned for token-shaped strings). */
  readonly outdir: string;
}

const SYNTH_TIMEOUT_MS = 120_000;
/** Base outputs kept; the oldest go first. */
const CACHED_BASES = 20;
const BASE_CACHE_DIR = path.join(REPO_ROOT, 'node_modules', '.cache', 'claude-oauth-tokens', 'check-base');
/** What the synth reads besides code: the data a change is about. */
const DATA_FILES = new Set([EPOCH_MAP_FILE, 'cdktf.json']);
const CODE_FILE = /\.(ts|js|cjs|mjs|json)$/;
const NOT_CODE = new Set(['node_modules', 'cdktf.out', '.git', '__tests__', 'bench', 'devkit', 'examples', 'schemas', 'coverage', '.gen', '.terraform']);

/** Synthesizes the working tree at `projectDir` into `outdir`. */
export async function synthesizeHead(projectDir: string, outdir: string): Promise<SynthOutcome> {
  const epochMapText = readIfExists(path.join(projectDir, EPOCH_MAP_FILE));
  if (runsThisCode(projectDir)) {
    let stderr = '';
    const status = runSynth({ projectDir, outdir, stdout: () => undefined, stderr: (text) => (stderr += `${text}\n`) });
    return outcome(status === 0, stderr, outdir, epochMapText);
  }
  const run = await synthInChildProcess(projectDir, outdir);
  return outcome(run.status === 0, run.stderr || run.stdout || `synth exited ${run.status}`, outdir, epochMapText);
}

/** Synthesizes commit `sha` of the repository at `projectDir`, from the cache when that commit's tree was synthesized before. */
export async function synthesizeBase(projectDir: string, sha: string, scratch: string, options: { readonly useCache: boolean }): Promise<SynthOutcome> {
  const epochMapText = git(projectDir, ['show', `${sha}:${EPOCH_MAP_FILE}`]).stdout || undefined;
  const tree = git(projectDir, ['rev-parse', `${sha}^{tree}`]).stdout.trim();
  const cached = cachedBaseOutput(tree);
  if (options.useCache && existsSync(path.join(cached, 'manifest.json'))) return outcome(true, '', cached, epochMapText);

  const worktree = path.join(scratch, 'base-tree');
  const outdir = path.join(scratch, 'base-out');
  const added = git(projectDir, ['worktree', 'add', '--detach', '--force', worktree, sha]);
  if (added.status !== 0) throw new Error(`cannot check out the base: ${added.stderr.trim()}`);
  try {
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(worktree, 'node_modules'));
    const run = await synthInChildProcess(worktree, outdir);
    if (run.status !== 0) return outcome(false, run.stderr || run.stdout || `synth exited ${run.status}`, outdir, epochMapText);
  } finally {
    git(projectDir, ['worktree', 'remove', '--force', worktree]);
    git(projectDir, ['worktree', 'prune']);
  }
  if (options.useCache) keep(outdir, cached);
  return outcome(true, '', outdir, epochMapText);
}

function outcome(synthesized: boolean, message: string, outdir: string, epochMapText: string | undefined): SynthOutcome {
  return {
    stacks: synthesized ? Object.fromEntries(readSynthesizedStacks(outdir).map((stack) => [stack.name, stack.json])) : {},
    epochMapText,
    error: synthesized ? undefined : message.trim(),
    outdir,
  };
}

/** `npm run synth` in `treeDir`, with this checkout's loader (an older base may predate it), without blocking. */
function synthInChildProcess(treeDir: string, outdir: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-r', path.join(REPO_ROOT, 'tools', 'register-ts.js'), 'main.ts'], {
      cwd: treeDir,
      env: { ...process.env, CDKTF_OUTDIR: outdir, CDKTF_CONTEXT_JSON: undefined, CHECKPOINT_DISABLE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: SYNTH_TIMEOUT_MS,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (error) => resolve({ status: null, stdout, stderr: `${stderr}${error.message}` }));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/**
 * Whether every code file under `projectDir` (each TypeScript, JavaScript and JSON file synth may load:
 * all but the data files, the tests and the tooling around them) is byte-identical to the one this
 * process runs.
 */
function runsThisCode(projectDir: string): boolean {
  if (path.resolve(projectDir) === REPO_ROOT) return true;
  const [ours, theirs] = [codeFiles(REPO_ROOT), codeFiles(projectDir)];
  return ours.length === theirs.length && ours.every((file, index) => file === theirs[index] && readFileSync(path.join(REPO_ROOT, file)).equals(readFileSync(path.join(projectDir, file))));
}

function codeFiles(root: string, dir = ''): string[] {
  return readdirSync(path.join(root, dir))
    .sort()
    .flatMap((name) => {
      const relative = dir ? `${dir}/${name}` : name;
      if (NOT_CODE.has(relative) || DATA_FILES.has(relative)) return [];
      if (statSync(path.join(root, relative)).isDirectory()) return codeFiles(root, relative);
      return CODE_FILE.test(name) ? [relative] : [];
    });
}

/** Where the output of a base with this git tree is kept. */
export function cachedBaseOutput(tree: string): string {
  return path.join(BASE_CACHE_DIR, cacheKey(tree));
}

/** What a base's output depends on besides its tree: the installed packages, Node, and the loader. */
function cacheKey(tree: string): string {
  const hash = createHash('sha256').update(tree).update(process.version);
  for (const file of ['package-lock.json', 'tools/register-ts.js']) hash.update(readIfExists(path.join(REPO_ROOT, file)) ?? '');
  return hash.digest('hex').slice(0, 32);
}

/** Copies a base's output into the cache whole (a rename, so a reader never sees half of it), then trims the cache. */
function keep(outdir: string, cached: string): void {
  const incoming = `${cached}.${process.pid}.tmp`;
  try {
    mkdirSync(BASE_CACHE_DIR, { recursive: true });
    cpSync(outdir, incoming, { recursive: true });
    renameSync(incoming, cached);
    const entries = readdirSync(BASE_CACHE_DIR)
      .filter((name) => !name.endsWith('.tmp'))
      .map((name) => ({ name, mtime: statSync(path.join(BASE_CACHE_DIR, name)).mtimeMs }))
      .sort((a, b) => b.mtime - a.mtime);
    for (const stale of entries.slice(CACHED_BASES)) rmSync(path.join(BASE_CACHE_DIR, stale.name), { recursive: true, force: true });
  } catch {
    // A cache that cannot be written (a read-only node_modules, a concurrent run's rename) only costs a re-synth.
    rmSync(incoming, { recursive: true, force: true });
  }
}

/** One git command in `cwd`: its status and its output as printed (untrimmed: `git show` text stays exact). */
export function git(cwd: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync('git', args, { cwd, encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function readIfExists(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}
