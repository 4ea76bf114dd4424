/**
 * `check`'s scratch folder (the base's worktree and both synth outputs): named by the process that
 * made it, so a later run can remove what a killed one left.
 */
import { mkdtempSync, readdirSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { git } from './check-synth';

const SCRATCH_PREFIX = 'claude-oauth-tokens-check-';

/** A new scratch folder of this process. */
export function makeScratchFolder(): string {
  return mkdtempSync(path.join(tmpdir(), `${SCRATCH_PREFIX}${process.pid}-`));
}

/** What an earlier check killed without a chance to clean up left: its folder, and its worktree's registration. */
export function removeLeftovers(projectDir: string): void {
  for (const entry of readdirSync(tmpdir())) {
    const pid = Number(new RegExp(`^${SCRATCH_PREFIX}(\\d+)-`).exec(entry)?.[1]);
    if (!Number.isInteger(pid) || pid === process.pid || isRunning(pid)) continue;
    try {
      // Another check may be removing the same leftover right now: its half-done removal is retried
      // (ENOTEMPTY), and what it finished is gone (force).
      rmSync(path.join(tmpdir(), entry), { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
    } catch {
      // Someone else's leftover that cannot be removed never fails this run; the next run tries again.
    }
  }
  git(projectDir, ['worktree', 'prune']);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
