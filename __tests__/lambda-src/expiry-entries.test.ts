import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { ScriptInputError, readExpiryDirectory } from '../../lambda-src/expiry-entries';
import { ConfigMapMount } from '../../devkit/configmap-mount';
import { TEST_NOW } from '../helpers/inventory';

function problemsOf(read: () => unknown): string[] {
  try {
    read();
  } catch (error) {
    if (error instanceof ScriptInputError) return [...error.problems];
    throw error;
  }
  throw new Error('expected the directory to be rejected');
}

describe('readExpiryDirectory', () => {
  let mount: ConfigMapMount;
  afterEach(() => mount?.remove());

  test('reads a kubelet ConfigMap mount, never taking ..data or the timestamped directory for tokens', () => {
    mount = new ConfigMapMount({ primary: '1808064429', 'spare-1': '1808064280\n' });
    expect(readExpiryDirectory(mount.dir, TEST_NOW)).toEqual([
      { path: 'primary', expiresAt: 1808064429 },
      { path: 'spare-1', expiresAt: 1808064280 },
    ]);
  });

  test('follows an atomic update: a removed key is gone', () => {
    mount = new ConfigMapMount({ primary: '1808064429', 'spare-1': '1808064280' });
    mount.update({ primary: '1820000000' });
    expect(readExpiryDirectory(mount.dir, TEST_NOW)).toEqual([{ path: 'primary', expiresAt: 1820000000 }]);
  });

  test('names every bad entry and its fix', () => {
    mount = new ConfigMapMount({
      primary: '1808064429000',
      'spare-1': 'soon',
      'spare-2': '1750000000',
      Spare_3: '1808064429',
      'spare-4': '-5',
    });
    expect(problemsOf(() => readExpiryDirectory(mount.dir, TEST_NOW))).toEqual([
      "entry 'Spare_3' is not a token path and does not belong in the expiry directory: remove it.",
      "entry 'primary': value 1808064429000 looks like milliseconds; the map must hold expiry in unix seconds (1808064429).",
      "entry 'spare-1': value is not a whole number of unix seconds (4 characters); regenerate the ConfigMap with cdktf deploy.",
      "entry 'spare-2': value 1750000000 (2025-06-15T15:06:40Z) is before any possible expiry (2026-01-01T00:00:00Z); is it a mint time instead of an expiry?",
      "entry 'spare-4': value is not a whole number of unix seconds (2 characters); regenerate the ConfigMap with cdktf deploy.",
    ]);
  });

  test('2,000 bad entries, a hundred times the 20 listed: each kept in the error, the message (one log line) bounded', () => {
    mount = new ConfigMapMount(Object.fromEntries(Array.from({ length: 2_000 }, (_, index) => [`spare-${index}`, 'soon'])));
    let error: ScriptInputError | undefined;
    try {
      readExpiryDirectory(mount.dir, TEST_NOW);
    } catch (caught) {
      error = caught as ScriptInputError;
    }
    expect(error!.problems).toHaveLength(2_000);
    expect(error!.message.length).toBeLessThan(4_000);
    expect(error!.message).toMatch(/^2000 problems:\n/);
    expect(error!.message).toMatch(/\n {2}- and 1,980 more \(the first 20 are listed\)$/);
  });

  test('a missing or empty directory is an error, not an empty push', () => {
    const missing = path.join(tmpdir(), 'no-such-expiry-dir');
    expect(problemsOf(() => readExpiryDirectory(missing, TEST_NOW))).toEqual([
      `the expiry directory ${missing} does not exist: mount the claude-oauth-token-expiry ConfigMap there, or point TOKEN_EXPIRY_DIR at it.`,
    ]);
    const empty = mkdtempSync(path.join(tmpdir(), 'empty-expiry-'));
    writeFileSync(path.join(empty, '..data'), '');
    try {
      expect(problemsOf(() => readExpiryDirectory(empty, TEST_NOW))[0]).toMatch(/holds no tokens: an empty push would hide every token/);
    } finally {
      rmSync(empty, { recursive: true });
    }
  });
});
