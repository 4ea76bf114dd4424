import { randomBytes } from 'crypto';
import { closeSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync } from 'fs';
import * as path from 'path';

/** Another run held the lock for longer than we wait. */
export class LockBusyError extends Error {
  constructor(readonly lockFile: string) {
    super(`another run is editing the map (lock ${lockFile} held); try again in a moment, or delete the lock if no run is active.`);
    this.name = 'LockBusyError';
  }
}

const POLL_MS = 20;

/**
 * Runs `action` while holding `<file>.lock` (created exclusively, holding our pid), so that two edits
 * of the same file serialize instead of one silently losing the other. A lock left by a process that
 * no longer runs is taken over.
 */
export function withFileLock<T>(file: string, action: () => T, waitMs = 15_000): T {
  const lockFile = `${file}.lock`;
  const deadline = Date.now() + waitMs;
  let descriptor: number | undefined;
  while (descriptor === undefined) {
    try {
      descriptor = openSync(lockFile, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (holderIsGone(lockFile)) {
        removeQuietly(lockFile);
        continue;
      }
      if (Date.now() > deadline) throw new LockBusyError(lockFile);
      sleepSync(POLL_MS);
    }
  }
  try {
    writeSync(descriptor, String(process.pid));
    return action();
  } finally {
    closeSync(descriptor);
    removeQuietly(lockFile);
  }
}

/**
 * Writes `text` to a temporary file beside `file` (a unique name per run), then renames it over
 * `file`: a reader sees the old map or the new one, never half of either. Keeps the file's mode.
 */
export function writeFileAtomically(file: string, text: string): void {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(temporary, text, { mode: statSync(file).mode & 0o777, flag: 'wx' });
    renameSync(temporary, file);
  } catch (error) {
    removeQuietly(temporary);
    throw error;
  }
}

function holderIsGone(lockFile: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(lockFile, 'utf8'));
  } catch {
    return false; // just released, or not yet written: try again
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
