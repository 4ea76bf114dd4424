import { ChildProcessWithoutNullStreams, spawn, spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { LockBusyError, STALE_AFTER_MS, withFileLock } from '../../tools/file-lock';

const REPO_ROOT = path.resolve(__dirname, '../..');

let exitedPid: number | undefined;
/** The pid of a process that has exited: what a killed rotation leaves in its lock (one such process, started once). */
function deadPid(): number {
  exitedPid ??= Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
  return exitedPid;
}

/** Makes `target` look older than any real edit. */
function age(target: string): void {
  const past = (Date.now() - STALE_AFTER_MS - 5_000) / 1000;
  utimesSync(target, past, past);
}

/** Every kind of lock an earlier run (of this version or an older one) or a person can leave. */
const STALE_LOCKS: Record<string, (lock: string) => void> = {
  'a lock of a killed run': (lock) => {
    mkdirSync(lock);
    writeFileSync(path.join(lock, `owner.${deadPid()}.${'a'.repeat(16)}`), '');
  },
  "an older version's lock file naming a dead pid": (lock) => writeFileSync(lock, String(deadPid())),
  'an empty lock file (killed between open and write)': (lock) => {
    writeFileSync(lock, '');
    age(lock);
  },
  'a garbage lock file': (lock) => {
    writeFileSync(lock, 'not a pid');
    age(lock);
  },
  'a negative pid': (lock) => {
    writeFileSync(lock, '-42');
    age(lock);
  },
  'a live unrelated pid (1), old': (lock) => {
    mkdirSync(lock);
    const owner = path.join(lock, `owner.1.${'b'.repeat(16)}`);
    writeFileSync(owner, '');
    age(owner);
  },
  'a folder of garbage': (lock) => {
    mkdirSync(path.join(lock, 'stuff'), { recursive: true });
    writeFileSync(path.join(lock, 'note.txt'), 'x');
    for (const entry of ['stuff', 'note.txt']) age(path.join(lock, entry));
  },
  'an empty folder': (lock) => mkdirSync(lock),
};

describe('withFileLock', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'file-lock-'));
    file = path.join(dir, 'map.ts');
    writeFileSync(file, '');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test.each(Object.keys(STALE_LOCKS))('recovers %s, and leaves nothing behind', (kind) => {
    STALE_LOCKS[kind](`${file}.lock`);
    expect(withFileLock(file, () => 'edited', 2_000)).toBe('edited');
    expect(readdirSync(dir)).toEqual(['map.ts']);
  });

  test("never takes a live holder's lock: a second run waits, then says the lock is held", () => {
    withFileLock(file, () => {
      expect(() => withFileLock(file, () => 'never', 200)).toThrow(LockBusyError);
      expect(() => withFileLock(file, () => 'never', 200)).toThrow(/another run is editing the map \(lock .*map\.ts\.lock held\); try again in a moment\./);
    });
    expect(withFileLock(file, () => 'after', 200)).toBe('after');
  });

  test('16 processes racing for 100 rounds, each round after a stale lock was planted: no edit is lost', async () => {
    const workers: ChildProcessWithoutNullStreams[] = [];
    const answers: string[][] = [];
    try {
      for (let id = 0; id < 16; id++) {
        const worker = spawn(process.execPath, ['-r', './tools/register-ts.js', '__tests__/helpers/lock-worker.ts', file, String(id)], { cwd: REPO_ROOT });
        answers.push([]);
        let buffered = '';
        worker.stdout.on('data', (chunk: Buffer) => {
          buffered += chunk.toString();
          const lines = buffered.split('\n');
          buffered = lines.pop()!;
          answers[id].push(...lines);
        });
        workers.push(worker);
      }
      const kinds = Object.values(STALE_LOCKS);
      const rounds = 100;
      for (let round = 0; round < rounds; round++) {
        kinds[round % kinds.length](`${file}.lock`);
        for (const worker of workers) worker.stdin.write(`${round}\n`);
        const deadline = Date.now() + 20_000;
        while (answers.some((lines) => lines.length <= round)) {
          if (Date.now() > deadline) throw new Error(`round ${round}: workers did not answer: ${JSON.stringify(answers.map((lines) => lines.at(-1)))}`);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      }
      const failures = answers.flat().filter((line) => !line.startsWith('ok '));
      expect(failures).toEqual([]);
      // Every edit exactly once: the file's lines, sorted, are every worker's line of every round.
      const edits = readFileSync(file, 'utf8').trim().split('\n').sort();
      const expected = Array.from({ length: rounds }, (_, round) => Array.from({ length: 16 }, (_, id) => `worker-${id} round-${round}`)).flat().sort();
      expect(edits).toEqual(expected);
      expect(readdirSync(dir)).toEqual(['map.ts']);
    } finally {
      for (const worker of workers) worker.kill();
    }
  }, 120_000);
});
