import { transformSync } from 'esbuild';
import { readFileSync } from 'fs';
import * as path from 'path';
import { addEntry, EpochMapError, mintEpochsOf, readEpochMap, removeEntry, setEntry } from '../../inventory/epoch-map-file';
import { readTokenInventory } from '../../inventory/token-inventory';
import { TOKEN_MINT_EPOCHS } from '../../stacks/claude-agent-service/token-mint-epochs';
import { makeToken } from '../helpers/fake-anthropic-api';
import { runInThisContext } from 'vm';

const EPOCH_MAP_FILE = path.resolve(__dirname, '../../stacks/claude-agent-service/token-mint-epochs.ts');
const HEAD = 'export const TOKEN_MINT_EPOCHS: Readonly<Record<string, number>> = {';

const read = (text: string) => readEpochMap({ fileName: 'map.ts', text });
const problemsOf = (text: string): string[] => {
  try {
    read(text);
  } catch (error) {
    if (error instanceof EpochMapError) return [...error.problems];
    throw error;
  }
  throw new Error('expected the map to be refused');
};

/** What the transpile-only runner that synth imports the map with (esbuild) makes of the same text. */
function asEsbuildReadsIt(text: string): Record<string, number> {
  const { code } = transformSync(text, { loader: 'ts', format: 'cjs' });
  const module = { exports: {} as Record<string, unknown> };
  (runInThisContext(`(function (module, exports) {${code}\n})`) as (module: object, exports: object) => void)(module, module.exports);
  return module.exports.TOKEN_MINT_EPOCHS as Record<string, number>;
}

describe('readEpochMap: the one reader of the map', () => {
  test('reads the real epoch map file exactly as the module exports it', () => {
    const document = readEpochMap({ fileName: 'token-mint-epochs.ts', text: readFileSync(EPOCH_MAP_FILE, 'utf8') });
    expect(mintEpochsOf(document)).toEqual(TOKEN_MINT_EPOCHS);
    expect(Object.keys(mintEpochsOf(document))).toEqual(Object.keys(TOKEN_MINT_EPOCHS));
  });

  test.each([
    ['every quoting, separators, no trailing comma', [HEAD, '  primary: 1_776_528_429,', "  'spare-1': 1776528280,", '  "spare-2": 1776528429', '};']],
    ['comments and blank lines that look like entries', ['/** primary: 1, */', HEAD, '  // primary: 2,', '', '  primary: 1776528429, // 2026-04-18T16:07:09Z', '  /* spare-1: 3, */', '};']],
    ['CRLF line endings', [HEAD, '  primary: 1776528429,', "  'spare-1': 1776528280,", '};'].map((line) => `${line}\r`)],
    ['no type annotation, a value with a fraction (refused later, read the same)', ['export const TOKEN_MINT_EPOCHS = {', '  primary: 1776528429.5,', '};']],
  ])('a layout esbuild accepts is read as esbuild reads it: %s', (_layout, lines) => {
    const text = lines.join('\n');
    expect(mintEpochsOf(read(text))).toEqual(asEsbuildReadsIt(text));
  });

  test('entries come with their exact line and column', () => {
    const document = read([HEAD, '  primary: 1776528429,', "    'spare-1': 1776528280,", '};'].join('\n'));
    expect(document.entries.map(({ path: tokenPath, line, column }) => ({ tokenPath, line, column }))).toEqual([
      { tokenPath: 'primary', line: 2, column: 3 },
      { tokenPath: 'spare-1', line: 3, column: 5 },
    ]);
  });

  test.each([
    ["two entries on one line (esbuild reads both; a line scanner saw one)", [HEAD, "  'spare-2': 1776528429, primary: 1764000000,", '};'], /^'spare-2' \(map\.ts:2\): shares its line with other code or entries/],
    ['a value moved to the next line', [HEAD, '  primary:', '    1776528429,', '};'], /^'primary' \(map\.ts:2\): its value continues on line 3/],
    ['the literal opened on the entry line', ['export const TOKEN_MINT_EPOCHS = { primary: 1776528429,', '};'], /^'primary' \(map\.ts:1\): shares its line/],
    ['a duplicate spelled differently', [HEAD, '  primary: 1776528429,', "  'primary': 1776528280,", '};'], /^'primary' is listed 2 times \(map\.ts lines 2, 3\): only the last would count/],
    ['a hex value', [HEAD, '  primary: 0x69E3A0AD,', '};'], /^'primary' \(map\.ts:2\): the value must be the mint time as plain decimal digits.*\(not a hex, octal, binary or exponent literal\)/],
    ['an exponent', [HEAD, '  primary: 1.776528429e9,', '};'], /plain decimal digits/],
    ['an expression', [HEAD, '  primary: 1776528429 + 60,', '};'], /^'primary' \(map\.ts:2\): .*\(not an expression\)/],
    ['a string', [HEAD, "  primary: '1776528429',", '};'], /\(not a string\)/],
    ['a spread', [HEAD, '  ...OTHER,', '};'], /^map\.ts:2: only '<token path>: <mint unix seconds>,' entries belong in the map/],
    ['a computed key', [HEAD, "  ['pri' + 'mary']: 1776528429,", '};'], /^map\.ts:2: only '<token path>/],
    ['a numeric key', [HEAD, '  7: 1776528429,', '};'], /^map\.ts:2: write the token path as a name or a quoted string/],
    ['a statement after the map that changes it', [HEAD, '  primary: 1776528429,', '};', "(TOKEN_MINT_EPOCHS as any).primary = 1;"], /^map\.ts:4: only the 'TOKEN_MINT_EPOCHS' object literal \(and comments\) may stand in this file/],
    ['no map at all', ['export const SOMETHING_ELSE = { primary: 1776528429 };'], /no 'export const TOKEN_MINT_EPOCHS/],
  ])('refuses %s, naming the line', (_layout, lines, message) => {
    const problems = problemsOf(lines.join('\n'));
    expect(problems.join('\n')).toMatch(message);
  });

  test('a syntax error is reported at its line and column with the fix, as a message, not a stack trace', () => {
    const text = [HEAD, '  primary: 1776528429,', "  'spare-1' 1776528280,", '};'].join('\n');
    let caught: unknown;
    try {
      read(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EpochMapError);
    const message = (caught as Error).message;
    expect(message).toMatch(/map\.ts:3:13: the file is not valid TypeScript \(Unexpected token\)\. Compare it with 'git diff map\.ts'/);
    expect(message).not.toMatch(/^\s+at /m);
  });

  test('a token pasted into the map is never repeated by the error', () => {
    const token = makeToken();
    for (const line of [`  '${token}': 1776528429,`, `  primary: ${token},`, `  primary: '${token}',`]) {
      let message = '';
      try {
        readTokenInventory({ fileName: 'map.ts', text: [HEAD, '  primary: 1776528429,', line, '};'].join('\n') });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).not.toBe('');
      expect(message).not.toContain(token.slice(13, 30));
    }
  });
});

describe('edits on the parsed map', () => {
  const text = [HEAD, '  primary: 1776528429, // 2026-04-18T16:07:09Z', "  \"spare-1\": 1776528280 // no comma", '};', ''].join('\n');

  test('setEntry rewrites one line, keeping indentation and key spelling', () => {
    const updated = setEntry(read(text), 'spare-1', 1795167000, '2026-11-20T09:30:00Z');
    expect(updated.split('\n')[2]).toBe('  "spare-1": 1795167000, // 2026-11-20T09:30:00Z');
    expect(updated.split('\n').filter((line, i) => line !== text.split('\n')[i])).toHaveLength(1);
  });

  test('addEntry appends after the last entry and gives that entry the comma it lacked', () => {
    const updated = addEntry(read(text), 'spare-2', 1776528429, 'c');
    expect(mintEpochsOf(read(updated))).toEqual({ primary: 1776528429, 'spare-1': 1776528280, 'spare-2': 1776528429 });
    expect(updated.split('\n')[2]).toBe('  "spare-1": 1776528280, // no comma');
    expect(addEntry(read('export const TOKEN_MINT_EPOCHS = {};\n'), 'primary', 1776528429, 'c')).toBe('export const TOKEN_MINT_EPOCHS = {\n  primary: 1776528429, // c\n};\n');
  });

  test('removeEntry drops the line, and CRLF files keep their line endings', () => {
    expect(mintEpochsOf(read(removeEntry(read(text), 'spare-1')))).toEqual({ primary: 1776528429 });
    const crlf = text.split('\n').join('\r\n');
    expect(setEntry(read(crlf), 'primary', 1795167000, 'c').split('\r\n')[1]).toBe('  primary: 1795167000, // c');
  });
});
