import { execFileSync, spawnSync } from 'child_process';
import { mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import * as path from 'path';
import { AppCopy, EPOCH_MAP_FILE } from '../devkit/app-copy';

/** Every entry point reads its files the one safe way: a clear message naming the file and the fix, never a hang or a raw errno. */
describe('a settings file that is not a file', () => {
  let app: AppCopy;
  let settings: string;
  beforeAll(() => {
    app = new AppCopy();
    settings = app.read('cdktf.json');
  });
  afterAll(() => app.remove());
  afterEach(() => {
    rmSync(path.join(app.dir, 'cdktf.json'), { recursive: true, force: true });
    app.write('cdktf.json', settings);
  });

  test.each([
    ['missing', () => undefined, 'the settings file cdktf.json does not exist: restore it from git'],
    ['a folder', (file: string) => mkdirSync(file), 'the settings file cdktf.json is a folder, not a file'],
    ['a FIFO', (file: string) => execFileSync('mkfifo', [file]), 'the settings file cdktf.json is not a regular file'],
    ['a link to /dev/zero', (file: string) => symlinkSync('/dev/zero', file), 'the settings file cdktf.json is not a regular file'],
    ['over 1 MiB', (file: string) => writeFileSync(file, `{"context":{}}${' '.repeat(1024 * 1024)}`), 'has 1,048,590 bytes, more than the largest allowed'],
  ])('%s: synth and tokens each name it and the fix, at once', (_, make, message) => {
    const file = path.join(app.dir, 'cdktf.json');
    rmSync(file, { force: true });
    make(file);
    for (const [script, args] of [
      ['synth', []],
      ['tokens', ['status']],
    ] as const) {
      const run = app.run(script, args);
      expect(run.error).toBeUndefined(); // no timeout: nothing waited on the FIFO
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(message);
      expect(run.stderr).not.toMatch(/\b(ENOENT|EISDIR|EACCES)\b|^\s+at /m);
    }
  });
});

describe('the map edited beside what a killed run left', () => {
  let app: AppCopy;
  beforeAll(() => {
    app = new AppCopy();
  });
  afterAll(() => app.remove());

  test("a killed edit's temporary copy is removed by the next edit; a live run's is kept", async () => {
    const dir = path.dirname(path.join(app.dir, EPOCH_MAP_FILE));
    const gone = spawnSync('true').pid; // a pid that has exited
    const leftover = `.token-mint-epochs.ts.${gone}.0123456789ab.tmp`;
    const live = `.token-mint-epochs.ts.${process.pid}.ba9876543210.tmp`;
    writeFileSync(path.join(dir, leftover), 'half a map');
    writeFileSync(path.join(dir, live), 'a map being written');
    const run = await app.tokens(['rotate', 'spare-2', '--record-only', '--minted-at', '2026-11-20T09:30:00Z']);
    expect(run.status).toBe(0);
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([live]);
  });

  test('a missing map folder is said as the missing map, not as a lock that could not be made', async () => {
    rmSync(path.join(app.dir, 'stacks/claude-agent-service'), { recursive: true });
    const run = await app.tokens(['rotate', 'spare-2', '--record-only', '--minted-at', '2026-11-20T09:30:00Z']);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(`${EPOCH_MAP_FILE} does not exist: restore it from git`);
    expect(run.stderr).not.toMatch(/ENOENT|\.lock/);
  });
});
