import { readFileSync } from 'fs';
import * as path from 'path';
import { findDuplicatePaths, scanEpochMapSource } from '../../inventory/epoch-map-source';
import { TOKEN_MINT_EPOCHS } from '../../stacks/claude-agent-service/token-mint-epochs';

const EPOCH_MAP_FILE = path.resolve(__dirname, '../../stacks/claude-agent-service/token-mint-epochs.ts');

describe('scanEpochMapSource', () => {
  test('reads the real epoch map file exactly as the module exports it', () => {
    const entries = scanEpochMapSource(readFileSync(EPOCH_MAP_FILE, 'utf8'));
    expect(Object.fromEntries(entries.map((entry) => [entry.path, Number(entry.valueText)]))).toEqual(TOKEN_MINT_EPOCHS);
    expect(findDuplicatePaths(readFileSync(EPOCH_MAP_FILE, 'utf8'))).toEqual([]);
  });

  test('ignores comments and doc lines that look like entries', () => {
    const text = [
      '/**',
      ' * primary: 1, // the format',
      ' */',
      'export const M: Readonly<Record<string, number>> = {',
      '  // primary: 2, an old value kept as a note',
      '  primary: 1776528429, // 2026-04-18T16:07:09Z',
      "  'spare-1': 1776528280,",
      '};',
      'const other = { primary: 3 };',
    ].join('\n');
    expect(scanEpochMapSource(text)).toEqual([
      { path: 'primary', valueText: '1776528429', line: 6 },
      { path: 'spare-1', valueText: '1776528280', line: 7 },
    ]);
  });

  test('finds every line of a duplicated path, whatever its quoting', () => {
    const text = ['const M = {', '  primary: 1,', "  'spare-1': 2,", "  'primary': 3,", '  "spare-1": 4,', '  primary: 5', '};'].join('\n');
    expect(findDuplicatePaths(text)).toEqual([
      { path: 'primary', lines: [2, 4, 6] },
      { path: 'spare-1', lines: [3, 5] },
    ]);
  });
});
