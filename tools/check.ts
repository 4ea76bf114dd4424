/**
 * `npm run check -- [--base <git ref>] [--format markdown|text] [--allow-expiring] [--no-cache] [--details] [--crd-dir <dir>]`
 *
 * What CI runs on every change: synthesizes the working tree (head) and the base (in a temporary git
 * worktree; your tree is never touched), and prints a report for a pull-request comment: the tokens
 * before -> after, then per stack the resources added, removed and changed (changed attributes only).
 *
 * Exit codes: 0 pass; 1 a failure the report names (invalid map, CRD-schema violation, token-shaped
 * string, token inside the critical window); 2 the check itself could not run (usage, git, CRD dir).
 */
import { existsSync, rmSync } from 'fs';
import * as path from 'path';
import { EpochSeconds, isoUtc, nowInSeconds } from '../inventory/expiry';
import { readTokenInventory, TokenInventory } from '../inventory/token-inventory';
import { redactSecrets } from '../inventory/token-shape';
import { RESTART_JOB_NAME } from '../constructs/agent-restart-job';
import { AppSettings, DEFAULT_SETTINGS } from '../settings/app-settings';
import { readProjectSettings } from '../settings/settings-file';
import { inventorySettingsOf } from '../settings/vault-setting';
import { EPOCH_MAP_FILE, REPO_ROOT } from '../settings/project-paths';
import { deployCommand, STACKS } from '../settings/stack-graph';
import { describeConsumers, tokenConsumersOf } from '../settings/token-consumers';
import { CheckResult, renderCheckReport } from './check-report';
import { CannotRun, CHECK_HELP, CheckOptions, parseOptions } from './check-options';
import { crdViolations, findTokenShapedStrings } from './check-findings';
import { makeScratchFolder, removeLeftovers } from './check-scratch';
import { git, synthesizeBase, synthesizeHead } from './check-synth';
import { CrdSchemaRegistry } from './crd-validator';
import { diffStack } from './synth-diff';

export const CheckExit = { pass: 0, fail: 1, cannotRun: 2 } as const;

/** The base commit: as given, else the merge-base with origin/main, else HEAD~1. */
function resolveBase(projectDir: string, ref: string | undefined): { sha: string; label: string } {
  if (git(projectDir, ['rev-parse', '--git-dir']).status !== 0) throw new CannotRun(`${projectDir} is not a git repository; check compares against a base commit.`);
  const candidates: Array<[string, () => ReturnType<typeof git>]> = ref
    ? [[ref, () => git(projectDir, ['rev-parse', '--verify', `${ref}^{commit}`])]]
    : [
        ['merge-base with origin/main', () => git(projectDir, ['merge-base', 'HEAD', 'origin/main'])],
        ['HEAD~1', () => git(projectDir, ['rev-parse', '--verify', 'HEAD~1^{commit}'])],
      ];
  for (const [label, resolve] of candidates) {
    const result = resolve();
    const sha = result.stdout.trim();
    if (result.status === 0 && sha) return { sha, label: `${label} (${sha.slice(0, 8)})` };
  }
  throw new CannotRun(ref ? `--base ${ref} is not a commit here (fetch it first?).` : 'no base: neither origin/main nor HEAD~1 exists; pass --base <ref>.');
}

/** A side's tokens as of `now`, or why its map does not read. */
function inventoryFrom(text: string | undefined, now: EpochSeconds, settings: AppSettings): { inventory?: TokenInventory; error?: string } {
  if (text === undefined) return { error: `no ${EPOCH_MAP_FILE}` };
  try {
    return { inventory: readTokenInventory({ fileName: EPOCH_MAP_FILE, text }, { now, ...inventorySettingsOf(settings) }) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** The working tree's settings (for the deploy command); if they do not read, synth has already said why. */
function headSettings(projectDir: string): AppSettings {
  try {
    return readProjectSettings(projectDir);
  } catch {
    return DEFAULT_SETTINGS;
  }
}

/** Where `check` runs: a git working tree of the project, and where it reports. */
export interface CheckProject {
  readonly projectDir: string;
  /**
   * Where the CRD schemas are (`--crd-dir` overrides it).
   * @default `<projectDir>/schemas/crds`
   */
  readonly crdSchemaDir?: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** Runs `check` with these arguments: its exit code, the report on stdout, a cannot-run reason on stderr. */
export async function runCheck(argv: readonly string[], project: CheckProject): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    project.stdout(`${CHECK_HELP}\n`);
    return 0;
  }
  try {
    const options = parseOptions(argv, project);
    const result = await check(project.projectDir, options);
    project.stdout(renderCheckReport(result, options.format, options.details));
    return result.failures.length === 0 ? CheckExit.pass : CheckExit.fail;
  } catch (error) {
    if (!(error instanceof CannotRun)) throw error;
    project.stderr(`check: ${error.message}\n`);
    return CheckExit.cannotRun;
  }
}

/** Synthesizes head and base side by side and judges the head: every failure, note and difference. */
async function check(projectDir: string, options: CheckOptions): Promise<CheckResult> {
  if (!existsSync(options.crdDir)) {
    throw new CannotRun(`no CRD schemas at ${options.crdDir}: pass --crd-dir or set CRD_SCHEMA_DIR (the project vendors them in schemas/crds).`);
  }
  const registry = CrdSchemaRegistry.fromDirectory(options.crdDir);
  const { sha, label } = resolveBase(projectDir, options.base);
  const now = nowInSeconds();
  removeLeftovers(projectDir);
  // Named by this process, so that a later run can tell a killed run's folder from a live one's.
  const scratch = makeScratchFolder();
  const cleanUp = () => {
    git(projectDir, ['worktree', 'remove', '--force', path.join(scratch, 'base-tree')]);
    git(projectDir, ['worktree', 'prune']);
    rmSync(scratch, { recursive: true, force: true });
  };
  // Interrupted (Ctrl-C, a CI cancel), it still leaves no folder and no registered worktree behind.
  const onSignal = (signal: NodeJS.Signals) => {
    cleanUp();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    // Both sides judged by the head's thresholds: the gate is about what this change deploys.
    const settings = headSettings(projectDir);
    const [head, base] = await Promise.all([
      synthesizeHead(projectDir, path.join(scratch, 'head-out')),
      synthesizeBase(projectDir, sha, scratch, { useCache: options.useCache }).catch((error: Error) => {
        throw new CannotRun(`${error.message} (${label})`);
      }),
    ]);
    const headTokens = inventoryFrom(head.epochMapText, now, settings);
    const baseTokens = inventoryFrom(base.epochMapText, now, settings);

    const failures: string[] = [];
    const notes: string[] = [];
    const headError = head.error ?? (headTokens.inventory ? undefined : headTokens.error);
    if (headError) failures.push(`head does not synthesize: ${headError}`);
    const baseError = base.error ?? (baseTokens.inventory ? undefined : baseTokens.error);
    if (baseError) notes.push(`the base did not synthesize, so everything shows as added: ${baseError.split('\n')[0]}`);
    failures.push(...crdViolations(head.stacks, registry).map((violation) => `CRD schema: ${violation}`));
    failures.push(...findTokenShapedStrings(projectDir, head.outdir).map((where) => `token-shaped string at ${where}: remove it from the repository (and rotate that credential)`));
    for (const token of headTokens.inventory?.tokens ?? []) {
      if (token.status === 'critical' || token.status === 'expired') {
        const message = `'${token.path}' is ${token.status} (${token.daysLeft} days left, expires ${isoUtc(token.expiresAt)}): rotate it in this change`;
        if (options.allowExpiring) notes.push(`${message} (allowed by --allow-expiring)`);
        else failures.push(`${message}, or pass --allow-expiring`);
      }
    }
    const stackNames = [...new Set([...Object.keys(head.stacks), ...Object.keys(base.stacks)])].sort();
    // A head that does not synthesize has no stacks to compare: nothing is "removed".
    const diffs = headError ? {} : Object.fromEntries(stackNames.map((stack) => [stack, diffStack(base.stacks[stack], head.stacks[stack])]));
    const primaryOf = (inventory?: TokenInventory) => inventory?.tokens.find((token) => token.path === 'primary')?.mintedAt;
    const primaryChanged = !headError && primaryOf(headTokens.inventory) !== primaryOf(baseTokens.inventory);
    const consumers = tokenConsumersOf(settings);
    // The restart Job is named by its content: added or changed (a new image, a consumer more, a new
    // primary), it is a new Job, which runs and restarts every consumer, whatever made it change.
    const restartJobRuns = (diffs['claude-agent-service'] ?? []).some((diff) => diff.change !== 'removed' && diff.objectName?.startsWith(`${RESTART_JOB_NAME}-`));
    const changed = STACKS.filter((stack) => (diffs[stack] ?? []).length > 0);
    return {
      baseLabel: label,
      baseInventory: baseTokens.inventory,
      headInventory: headTokens.inventory,
      diffs,
      failures,
      notes,
      deployCommand: changed.length > 0 ? deployCommand(changed, settings) : undefined,
      deploysVaultAccess: changed.includes('vault-access'),
      headSynthesized: !headError,
      restarts: (primaryChanged || restartJobRuns) && consumers.length > 0 ? describeConsumers(consumers) : undefined,
    };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    cleanUp();
  }
}

if (require.main === module) {
  void runCheck(process.argv.slice(2), {
    projectDir: REPO_ROOT,
    crdSchemaDir: process.env.CRD_SCHEMA_DIR,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(redactSecrets(`check: failed: ${(error as Error)?.message ?? String(error)}\n`));
      process.exitCode = CheckExit.cannotRun;
    },
  );
}
