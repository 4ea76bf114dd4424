import { ChildProcess, spawn } from 'child_process';
import { closeSync, openSync, readFileSync } from 'fs';
import * as path from 'path';

/** A long-running program of the local cluster, logging to a file of its own. */
export interface ClusterProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Its log so far (the last `bytes`), for failure messages. */
  log(bytes?: number): string;
  /** Whether it has exited. */
  exited(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it is gone. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<ClusterProcess>();

/** Starts `command` with its output in `<logDir>/<name>.log`; stopped by its pid, never by name. */
export function startProcess(name: string, command: string, args: readonly string[], logDir: string, env: NodeJS.ProcessEnv = process.env): ClusterProcess {
  const logFile = path.join(logDir, `${name}.log`);
  const fd = openSync(logFile, 'a');
  const child: ChildProcess = spawn(command, args, { stdio: ['ignore', fd, fd], env });
  closeSync(fd);
  let gone = false;
  const exitedPromise = new Promise<void>((resolve) => {
    child.on('exit', () => {
      gone = true;
      resolve();
    });
    child.on('error', () => {
      gone = true;
      resolve();
    });
  });
  const proc: ClusterProcess = {
    name,
    pid: child.pid ?? -1,
    logFile,
    log: (bytes = 4000) => {
      const text = readFileSync(logFile, 'utf8');
      return text.slice(-bytes);
    },
    exited: () => gone,
    stop: async (graceMs = 5000) => {
      running.delete(proc);
      if (gone) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exitedPromise;
      clearTimeout(timer);
    },
  };
  running.add(proc);
  return proc;
}

/** Stops every process still running, newest first (a test run that fails half-way leaves nothing). */
export async function stopAll(): Promise<void> {
  for (const proc of [...running].reverse()) await proc.stop();
}

process.on('exit', () => {
  for (const proc of running) {
    try {
      process.kill(proc.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** Polls `check` until it returns a value (not undefined) or `timeoutMs` passes; then throws `describe()`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs: number, describe: () => string = () => ''): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`${what}: not within ${Math.round(timeoutMs / 1000)} s${lastError ? ` (last error: ${(lastError as Error).message})` : ''}\n${describe()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Whether any test body wrapped by `track` threw: a failed run keeps its cluster's logs and files. */
export class RunOutcome {
  failed = false;

  track<A extends unknown[]>(body: (...args: A) => Promise<void> | void): (...args: A) => Promise<void> {
    return async (...args: A) => {
      try {
        await body(...args);
      } catch (error) {
        this.failed = true;
        throw error;
      }
    };
  }
}

/** What a finished command left. */
export interface CommandRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `command` to its end without blocking this process (the servers it talks to may run here),
 * capturing its output; SIGTERM after `timeoutMs`.
 */
export function runCommand(command: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<CommandRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), options.timeoutMs ?? 300_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}
