import { randomBytes } from 'crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'fs';
import * as path from 'path';

/** Another run held the lock for longer than we wait. */
export class LockBusyError extends Error {
  constructor(readonly lockDir: string) {
    super(`another run is editing the map (lock ${lockDir} held); try again in a moment.`);
    this.name = 'LockBusyError';
  }
}

/** Our lock was recovered by another run while we held it: we held it longer than any edit takes. */
export class LockLostError extends Error {
  constructor(readonly lockDir: string) {
    super(`the lock ${lockDir} was taken over while this run held it (it held it over ${STALE_AFTER_MS / 1000} s); nothing was written. Run it again.`);
    this.name = 'LockLostError';
  }
}

/**
 * A waiter first retries within a millisecond or two (an edit holds the lock about that long), then
 * backs off to POLL_MAX_MS: a short wait stays short, and a long one costs a few tries a second.
 */
const POLL_FIRST_MS = 1;
const POLL_MAX_MS = 40;
/** Longer than any real edit under the lock takes (milliseconds): a lock this old is abandoned, whatever it holds. */
export const STALE_AFTER_MS = 60_000;
const OWNER = /^owner\.(\d+)\.([0-9a-f]{16})$/;

/*
 * The lock is the directory `<file>.lock`, holding one file `owner.<pid>.<nonce>`. Every step that
 * changes it is atomic and aimed at exactly one lock, so a takeover can never remove a live lock:
 *
 * - acquire: build `<file>.lock.<nonce>.tmp/owner.<pid>.<nonce>`, then rename that directory onto
 *   `<file>.lock`. rename(2) puts a directory in place of a missing or an EMPTY one, and refuses
 *   (ENOTEMPTY/EEXIST) while a lock is held, so one contender wins;
 * - take over a stale lock (its pid dead, or older than STALE_AFTER_MS): unlink its owner file BY ITS
 *   NAME. The nonce makes that name unique, so if the lock changed meanwhile the unlink finds nothing
 *   (ENOENT) and nobody's lock is touched; once it is empty, the next acquire wins it as above;
 * - release: unlink our own owner file by name, then remove the directory if it is still empty.
 *
 * Anything else found there (an empty directory, a file of an older version or of a kill between
 * open and write, garbage) is removed once older than STALE_AFTER_MS: files by unlink (which cannot
 * remove a directory, so never a live lock), stray entries by their exact name.
 */

/**
 * Runs `action` while holding `<file>.lock`, so that two edits of the same file serialize instead
 * of one silently losing the other. `action` calls `stillHeld()` right before it writes: it throws
 * {@link LockLostError} if the lock was recovered from under it.
 */
export function withFileLock<T>(file: string, action: (stillHeld: () => void) => T, waitMs = 15_000): T {
  const lockDir = `${file}.lock`;
  const nonce = randomBytes(8).toString('hex');
  const ownerName = `owner.${process.pid}.${nonce}`;
  const deadline = Date.now() + waitMs;
  removeAbandonedAttempts(file);
  // The lock as it will be, built once: each try is then one rename (building it anew cost eight calls).
  const attempt = `${lockDir}.${nonce}.tmp`;
  try {
    for (let pollMs = POLL_FIRST_MS; !tryAcquire(attempt, lockDir, ownerName); pollMs = Math.min(pollMs * 2, POLL_MAX_MS)) {
      recoverIfStale(lockDir);
      if (Date.now() > deadline) throw new LockBusyError(lockDir);
      // Jittered, so waiters that collided once do not collide again.
      sleepSync(pollMs / 2 + Math.random() * pollMs);
    }
  } catch (error) {
    rmSync(attempt, { recursive: true, force: true });
    throw error;
  }
  // Its age counts from now, not from when the wait began.
  const acquiredAt = new Date();
  utimesSync(path.join(lockDir, ownerName), acquiredAt, acquiredAt);
  const stillHeld = () => {
    if (!exists(path.join(lockDir, ownerName))) throw new LockLostError(lockDir);
  };
  try {
    return action(stillHeld);
  } finally {
    removeQuietly(path.join(lockDir, ownerName));
    try {
      rmdirSync(lockDir); // only if still empty: another run may hold it already
    } catch {
      // not empty (another run's now), or gone
    }
  }
}

/** Renames `attempt` (a folder holding only our owner file, made if missing) onto `lockDir`: false while another holds it. */
function tryAcquire(attempt: string, lockDir: string, ownerName: string): boolean {
  if (!exists(attempt)) {
    mkdirSync(attempt);
    writeFileSync(path.join(attempt, ownerName), '');
  }
  try {
    renameSync(attempt, lockDir);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Held (a non-empty directory), or something not a directory sits there.
    if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR' || code === 'EISDIR') return false;
    throw error;
  }
}

/** Removes the owner of a lock whose holder is gone or which is older than any edit, by its exact name. */
function recoverIfStale(lockDir: string): void {
  let stat;
  try {
    stat = lstatSync(lockDir);
  } catch {
    return; // released meanwhile
  }
  const old = (mtimeMs: number) => Date.now() - mtimeMs > STALE_AFTER_MS;
  if (!stat.isDirectory()) {
    // A lock file of an older version (its pid as text), or anything else: unlink never removes a directory lock.
    let pid = Number.NaN;
    try {
      pid = Number(readFileSync(lockDir, 'utf8'));
    } catch {
      // unreadable: its age decides
    }
    if (old(stat.mtimeMs) || holderIsGone(pid)) removeQuietly(lockDir);
    return;
  }
  let entries: string[];
  try {
    entries = readdirSync(lockDir);
  } catch {
    return;
  }
  for (const entry of entries) {
    const entryPath = path.join(lockDir, entry);
    const owner = OWNER.exec(entry);
    let entryStat;
    try {
      entryStat = lstatSync(entryPath);
    } catch {
      continue;
    }
    if (owner ? holderIsGone(Number(owner[1])) || old(entryStat.mtimeMs) : old(entryStat.mtimeMs)) {
      if (entryStat.isDirectory()) rmSync(entryPath, { recursive: true, force: true });
      else removeQuietly(entryPath);
    }
  }
  // An empty lock directory is free as it is: the next acquire renames over it.
}

/**
 * What a run killed mid-edit leaves beside `file`: lock attempt directories (killed between building
 * and renaming its lock) and the temporary copies of {@link writeFileAtomically} (killed between
 * write and rename), each removed once its run is gone or it is older than any edit.
 */
function removeAbandonedAttempts(file: string): void {
  const dir = path.dirname(file);
  const lockName = `${path.basename(file)}.lock`;
  const copyPrefix = `.${path.basename(file)}.`;
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const entry of entries) {
    const entryPath = path.join(dir, entry);
    const copy = entry.startsWith(copyPrefix) ? /^(\d+)\.[0-9a-f]{12}\.tmp$/.exec(entry.slice(copyPrefix.length)) : null;
    try {
      if (copy && (holderIsGone(Number(copy[1])) || Date.now() - lstatSync(entryPath).mtimeMs > STALE_AFTER_MS)) removeQuietly(entryPath);
      if (!entry.startsWith(`${lockName}.`) || !entry.endsWith('.tmp')) continue;
      if (Date.now() - statSync(entryPath).mtimeMs > STALE_AFTER_MS) rmSync(entryPath, { recursive: true, force: true });
    } catch {
      // gone
    }
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

function holderIsGone(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function exists(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone, or a directory (never ours to unlink)
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
