import { readFileSync } from 'fs';
import * as path from 'path';
import { REPO_ROOT } from '../../devkit/app-copy';
import { DEFAULT_SETTINGS, SETTING_KEYS } from '../../settings/app-settings';

/** The Settings table of docs/fitting-the-cluster.md: each row's keys (first column) and default (second). */
function documentedRows(): { keys: string[]; defaultCell: string }[] {
  const text = readFileSync(path.join(REPO_ROOT, 'docs', 'fitting-the-cluster.md'), 'utf8');
  const table = text.slice(text.indexOf('## Settings'));
  return [...table.matchAll(/^\| (`[^|]+`) \| ([^|]+) \|/gm)].map((row) => ({ keys: [...row[1].matchAll(/`(\w+)`/g)].map((key) => key[1]), defaultCell: row[2].trim() }));
}

describe("the settings reference (docs/fitting-the-cluster.md, Settings)", () => {
  test('names every setting the reader accepts, and nothing it refuses', () => {
    const documented = documentedRows().flatMap((row) => row.keys);
    expect([...documented].sort()).toEqual([...SETTING_KEYS].sort());
  });

  test('a plain default it shows (a word, a duration, an image, true or false; not an environment variable) is the default in code', () => {
    const plain = documentedRows().filter((row) => row.keys.length === 1 && /^`[a-z0-9][\w.:/-]*`$/.test(row.defaultCell));
    expect(plain.length).toBeGreaterThan(8);
    for (const { keys, defaultCell } of plain) {
      const value: unknown = DEFAULT_SETTINGS[keys[0] as keyof typeof DEFAULT_SETTINGS];
      // A plain cell stands for a word, a number or a switch; an object default would show as JSON.
      const inCode = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
      expect({ key: keys[0], documented: defaultCell.slice(1, -1) }).toEqual({ key: keys[0], documented: inCode });
    }
  });
});
