/**
 * `npm run check -- [--base <git ref>] [--format markdown|text] [--allow-expiring] [--crd-dir <dir>]`
 *
 * What CI runs on every change: synthesizes the working tree (head) and the base (in a temporary git
 * worktree; your tree is never touched), and prints a report for a pull-request comment: the tokens
 * before -> after, then per stack the resources added, removed and changed (changed attributes only).
 *
 * Exit codes: 0 pass; 1 a failure the report names (invalid map, CRD-schema violation, token-shaped
 * string, token inside the critical window); 2 the check itself could not run (usage, git, CRD dir).
 */
import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { ExpiryThresholds, isoUtc } from '../inventory/expiry';
import { readTokenInventory, TokenInventory, TokenRecord } from '../inventory/token-inventory';
import { CrdSchemaRegistry } from './crd-validator';
import { AppSettings, DEFAULT_SETTINGS, readAppSettings } from '../settings/app-settings';
import { deployCommand, STACKS } from '../settings/stack-graph';
import { EPOCH_MAP_FILE, REPO_ROOT } from '../settings/project-paths';
import { describeChange, diffStack, ResourceDiff } from './synth-diff';
import { readSynthesizedStacks, StackJson } from '../stacks/synth-output';
import { redactSecrets, redactToken, TOKEN_SHAPED, TOKEN_SHAPED_ERE } from '../inventory/token-shape';

export const CheckExit = { pass: 0, fail: 1, cannotRun: 2 } as const;

class CannotRun extends Error {
  constructor(message: string) {
    super(redactSecrets(message));
  }
}

interface CheckOptions {
  readonly base?: string;
  readonly format: 'markdown' | 'text';
  readonly allowExpiring: boolean;
  readonly crdDir: string;
}

/** One synthesized tree: its stacks, its tokens, and whatever went wrong. */
interface Side {
  readonly label: string;
  readonly stacks: Record<string, StackJson>;
  readonly inventory?: TokenInventory;
  /** Why synth or the map failed, if it did. */
  readonly error?: string;
  readonly outdir: string;
}

function parseOptions(argv: readonly string[]): CheckOptions {
  let base: string | undefined;
  let format: CheckOptions['format'] = 'text';
  let allowExpiring = false;
  let crdDir = process.env.CRD_SCHEMA_DIR ?? path.resolve(REPO_ROOT, 'schemas/crds');
  for (let i = 0; i < argv.length; i++) {
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new CannotRun(`${argv[i - 1]} needs a value.`);
      return next;
    };
    switch (argv[i]) {
      case '--base':
        base = value();
        break;
      case '--format': {
        const chosen = value();
        if (chosen !== 'markdown' && chosen !== 'text') throw new CannotRun(`--format ${chosen}: use markdown or text.`);
        format = chosen;
        break;
      }
      case '--allow-expiring':
        allowExpiring = true;
        break;
      case '--crd-dir':
        crdDir = path.resolve(value());
        break;
      default:
        throw new CannotRun(`unknown argument ${argv[i]}. Usage: npm run check -- [--base <git ref>] [--format markdown|text] [--allow-expiring] [--crd-dir <dir>]`);
    }
  }
  return { base, format, allowExpiring, crdDir };
}

function git(args: string[], cwd = REPO_ROOT): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync('git', args, { cwd, encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout.trim(), stderr: run.stderr.trim() };
}

/** The base commit: as given, else the merge-base with origin/main, else HEAD~1. */
function resolveBase(ref: string | undefined): { sha: string; label: string } {
  if (git(['rev-parse', '--git-dir']).status !== 0) throw new CannotRun(`${REPO_ROOT} is not a git repository; check compares against a base commit.`);
  const candidates: Array<[string, () => ReturnType<typeof git>]> = ref
    ? [[ref, () => git(['rev-parse', '--verify', `${ref}^{commit}`])]]
    : [
        ['merge-base with origin/main', () => git(['merge-base', 'HEAD', 'origin/main'])],
        ['HEAD~1', () => git(['rev-parse', '--verify', 'HEAD~1^{commit}'])],
      ];
  for (const [label, resolve] of candidates) {
    const result = resolve();
    if (result.status === 0 && result.stdout) return { sha: result.stdout, label: `${label} (${result.stdout.slice(0, 8)})` };
  }
  throw new CannotRun(ref ? `--base ${ref} is not a commit here (fetch it first?).` : 'no base: neither origin/main nor HEAD~1 exists; pass --base <ref>.');
}

function inventoryFrom(text: string | undefined, now: number, thresholds: ExpiryThresholds): { inventory?: TokenInventory; error?: string } {
  if (text === undefined) return { error: `no ${EPOCH_MAP_FILE}` };
  try {
    return { inventory: readTokenInventory({ fileName: EPOCH_MAP_FILE, text }, { now, thresholds }) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** Synthesizes `treeDir` into `outdir` exactly as `npm run synth` does. */
function synthesize(label: string, treeDir: string, outdir: string, now: number, thresholds: ExpiryThresholds): Side {
  // This checkout's loader for both sides: an older base may predate it.
  const run = spawnSync(process.execPath, ['-r', path.join(REPO_ROOT, 'tools', 'register-ts.js'), 'main.ts'], {
    cwd: treeDir,
    encoding: 'utf8',
    env: { ...process.env, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: '1' },
    timeout: 120_000,
  });
  const mapFile = path.join(treeDir, EPOCH_MAP_FILE);
  const { inventory, error: mapError } = inventoryFrom(existsSync(mapFile) ? readFileSync(mapFile, 'utf8') : undefined, now, thresholds);
  const error = run.status === 0 ? undefined : (run.stderr || run.stdout || `synth exited ${run.status}`).trim();
  return { label, stacks: run.status === 0 ? Object.fromEntries(readSynthesizedStacks(outdir).map((stack) => [stack.name, stack.json])) : {}, inventory, error: error ?? (mapError && !inventory ? mapError : undefined), outdir };
}

function synthesizeBase(sha: string, label: string, scratch: string, now: number, thresholds: ExpiryThresholds): Side {
  const tree = path.join(scratch, 'base-tree');
  const added = git(['worktree', 'add', '--detach', '--force', tree, sha]);
  if (added.status !== 0) throw new CannotRun(`cannot check out the base ${label}: ${added.stderr}`);
  try {
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(tree, 'node_modules'));
    return synthesize(`base: ${label}`, tree, path.join(scratch, 'base-out'), now, thresholds);
  } finally {
    git(['worktree', 'remove', '--force', tree]);
    git(['worktree', 'prune']);
  }
}

function walkFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? walkFiles(file) : [file];
  });
}

/** Token-shaped strings in tracked files (binary ones too: `-a`) and in the synth output, redacted. */
function findTokenShapedStrings(headOutdir: string): string[] {
  const found: string[] = [];
  const grep = git(['grep', '-a', '-z', '-noE', TOKEN_SHAPED_ERE, '--', '.', ':!node_modules']);
  // -z: `file NUL line NUL match`, so a colon or newline in a binary file's name or bytes cannot split it wrongly.
  for (const record of grep.stdout ? grep.stdout.split('\n') : []) {
    const [file, lineNumber, match] = record.split('\0');
    if (match !== undefined) found.push(`${file}:${lineNumber} (tracked file): ${redactToken(match)}`);
  }
  for (const file of walkFiles(headOutdir)) {
    for (const match of readFileSync(file, 'latin1').match(TOKEN_SHAPED) ?? []) {
      found.push(`${path.relative(headOutdir, file)} (synth output): ${redactToken(match)}`);
    }
  }
  return found;
}

function crdViolations(stacks: Record<string, StackJson>, registry: CrdSchemaRegistry): string[] {
  return Object.entries(stacks).flatMap(([stack, json]) =>
    Object.entries(json.resource?.kubernetes_manifest ?? {}).flatMap(([name, resource]) => {
      const manifest = (resource as { manifest: Record<string, any> }).manifest;
      return registry.validate(manifest).map((v) => `${stack}: ${manifest.kind}/${manifest.metadata?.name} (${name}): ${v.path}: ${v.message}`);
    }),
  );
}

function tokenRows(base: TokenInventory | undefined, head: TokenInventory | undefined): string[][] {
  const byPath = (inventory: TokenInventory | undefined) => new Map((inventory?.tokens ?? []).map((token) => [token.path, token]));
  const [before, after] = [byPath(base), byPath(head)];
  const paths = [...new Set([...after.keys(), ...before.keys()])];
  const cell = (old: TokenRecord | undefined, current: TokenRecord | undefined, pick: (token: TokenRecord) => string) => {
    if (!old) return `${pick(current!)} (new)`;
    if (!current) return `${pick(old)} (removed)`;
    return pick(old) === pick(current) ? pick(current) : `${pick(old)} -> ${pick(current)}`;
  };
  return paths.map((tokenPath) => {
    const [old, current] = [before.get(tokenPath), after.get(tokenPath)];
    return [
      tokenPath,
      cell(old, current, (token) => isoUtc(token.mintedAt)),
      cell(old, current, (token) => isoUtc(token.expiresAt)),
      cell(old, current, (token) => String(token.daysLeft)),
      cell(old, current, (token) => token.status),
    ];
  });
}

function renderReport(options: CheckOptions, base: Side, head: Side, diffs: Record<string, ResourceDiff[]>, failures: string[], notes: string[], settings: AppSettings): string {
  const md = options.format === 'markdown';
  const lines: string[] = [];
  const heading = (text: string) => lines.push(md ? `### ${text}` : `== ${text}`);
  lines.push(md ? '## claude-oauth-tokens synth check' : 'claude-oauth-tokens synth check', '');
  lines.push(`${md ? '**Result:** ' : 'Result: '}${failures.length === 0 ? 'PASS' : 'FAIL'} (head: working tree, ${base.label})`);
  for (const failure of failures) lines.push(`- ${failure.split('\n').join(md ? '<br>' : '\n    ')}`);
  for (const note of notes) lines.push(`- note: ${note}`);
  lines.push('');

  heading('Tokens (base -> head)');
  const header = ['path', 'minted', 'expires', 'days left', 'status'];
  const rows = tokenRows(base.inventory, head.inventory);
  if (md) {
    lines.push(`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`));
  } else {
    const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
    for (const row of [header, ...rows]) lines.push(row.map((text, column) => text.padEnd(widths[column])).join('  ').trimEnd());
  }
  lines.push('');

  const changed = STACKS.filter((stack) => (diffs[stack] ?? []).length > 0);
  lines.push(`${md ? '**Deploy after merge:** ' : 'Deploy after merge: '}${changed.length === 0 ? 'nothing changed' : `\`${deployCommand(changed, settings)}\``}`);
  if (changed.includes('vault-access')) lines.push('(vault-access needs Vault admin credentials: VAULT_ADDR, VAULT_TOKEN)');
  lines.push('');
  for (const [stack, stackDiffs] of Object.entries(diffs)) {
    heading(`Stack ${stack}: ${stackDiffs.length === 0 ? 'no deploy needed' : 'needs deploy'}`);
    if (stackDiffs.length === 0) lines.push('no changes');
    for (const diff of stackDiffs) {
      const name = diff.objectName ? ` (${diff.objectName})` : '';
      lines.push(`- ${diff.change} ${md ? `\`${diff.address}\`` : diff.address}${name}`);
      const type = diff.address.split('.')[0];
      for (const change of diff.attributes) lines.push(`  - ${md ? `\`${describeChange(change, type)}\`` : describeChange(change, type)}`);
    }
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

/** The working tree's settings (for the deploy command); if they do not read, synth has already said why. */
function headSettings(): AppSettings {
  try {
    return readAppSettings({ name: 'cdktf.json', text: readFileSync(path.join(REPO_ROOT, 'cdktf.json'), 'utf8') });
  } catch {
    return DEFAULT_SETTINGS;
  }
}

export function runCheck(argv: readonly string[], out: (text: string) => void): number {
  const options = parseOptions(argv);
  if (!existsSync(options.crdDir)) {
    throw new CannotRun(`no CRD schemas at ${options.crdDir}: pass --crd-dir or set CRD_SCHEMA_DIR (the project vendors them in schemas/crds).`);
  }
  const registry = CrdSchemaRegistry.fromDirectory(options.crdDir);
  const { sha, label } = resolveBase(options.base);
  const now = Math.floor(Date.now() / 1000);
  const scratch = mkdtempSync(path.join(tmpdir(), 'claude-oauth-tokens-check-'));
  try {
    // Both sides judged by the head's thresholds: the gate is about what this change deploys.
    const settings = headSettings();
    const head = synthesize('head', REPO_ROOT, path.join(scratch, 'head-out'), now, settings.expiryThresholds);
    const base = synthesizeBase(sha, label, scratch, now, settings.expiryThresholds);

    const failures: string[] = [];
    const notes: string[] = [];
    if (head.error) failures.push(`head does not synthesize: ${head.error}`);
    if (base.error) notes.push(`the base did not synthesize, so everything shows as added: ${base.error.split('\n')[0]}`);
    failures.push(...crdViolations(head.stacks, registry).map((violation) => `CRD schema: ${violation}`));
    failures.push(...findTokenShapedStrings(head.outdir).map((where) => `token-shaped string at ${where}: remove it from the repository (and rotate that credential)`));
    for (const token of head.inventory?.tokens ?? []) {
      if (token.status === 'critical' || token.status === 'expired') {
        const message = `'${token.path}' is ${token.status} (${token.daysLeft} days left, expires ${isoUtc(token.expiresAt)}): rotate it in this change`;
        if (options.allowExpiring) notes.push(`${message} (allowed by --allow-expiring)`);
        else failures.push(`${message}, or pass --allow-expiring`);
      }
    }
    const stackNames = [...new Set([...Object.keys(head.stacks), ...Object.keys(base.stacks)])].sort();
    const diffs = Object.fromEntries(stackNames.map((stack) => [stack, diffStack(base.stacks[stack], head.stacks[stack])]));
    // The report echoes synth's own errors: whatever they quote, no secret reaches a PR comment.
    out(redactSecrets(renderReport(options, base, head, diffs, failures, notes, settings)));
    return failures.length === 0 ? CheckExit.pass : CheckExit.fail;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (require.main === module) {
  try {
    process.exitCode = runCheck(process.argv.slice(2), (text) => process.stdout.write(text));
  } catch (error) {
    if (!(error instanceof CannotRun)) throw error;
    process.stderr.write(`check: ${error.message}\n`);
    process.exitCode = CheckExit.cannotRun;
  }
}
