import { transformSync } from 'esbuild';
import { execFileSync } from 'child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { addEntry, removeEntry, setEntry } from '../../inventory/epoch-map-edit';
import { EpochMapError, MAX_EPOCH_MAP_BYTES, mintEpochsOf, readEpochMap, readEpochMapFile } from '../../inventory/epoch-map-file';
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
    ['no type annotation', ['export const TOKEN_MINT_EPOCHS = {', '  primary: 1776528429,', '};']],
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

describe('readEpochMap: what readers could disagree on, refused', () => {
  test.each([
    ['a lone CR ends a comment for JavaScript, not for git: an entry hidden in a "comment"', [HEAD, "  primary: 1776528429, // note\r  'spare-9': 1776528429,", '};'], "map.ts:2: a carriage return (CR) not followed by LF"],
    ['CR-only line ends', [`${HEAD}\r  primary: 1776528429,\r};`], 'map.ts:1: a carriage return (CR) not followed by LF'],
    ['a LINE SEPARATOR in the header', [`// header\u2028${HEAD}`, '  primary: 1776528429,', '};'], 'map.ts:1: a LINE SEPARATOR (U+2028)'],
    ['a PARAGRAPH SEPARATOR', [HEAD, '  primary: 1776528429, //\u2029', '};'], 'map.ts:2: a PARAGRAPH SEPARATOR (U+2029)'],
    ['a #! line', ['#!/usr/bin/env node', HEAD, '  primary: 1776528429,', '};'], "map.ts:1: a '#!' line: the map is a module"],
  ])('%s', (_name, lines, message) => {
    const problems = problemsOf(lines.join('\n'));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
  });

  test("a date comment that does not match its value is refused, naming both and the fix; a plain comment is not a date", () => {
    expect(problemsOf([HEAD, "  'spare-2': 1790000000, // 2026-04-18T16:07:09Z", '};'].join('\n'))).toEqual([
      "'spare-2' (map.ts:2): its date comment says 2026-04-18T16:07:09Z, but 1790000000 is 2026-09-21T14:13:20Z: one of them is wrong. Correct it (npm run tokens -- rotate spare-2 --minted-at <when it was minted> writes both).",
    ]);
    expect(mintEpochsOf(read([HEAD, "  'spare-2': 1790000000, // 2026-09-21T14:13:20Z", '  primary: 1776528429, // minted on the laptop', '};'].join('\n')))).toEqual({ 'spare-2': 1790000000, primary: 1776528429 });
  });

  test('a token anywhere in the file, a comment included, is refused by line and never shown', () => {
    const token = makeToken();
    const problems = problemsOf([HEAD, `  // old one: ${token}`, '  primary: 1776528429,', '};'].join('\n'));
    expect(problems).toEqual([expect.stringMatching(/^map\.ts:2: holds a token \(sk-ant-oat01-…\(redacted, 108 chars\)\): delete it from the file now, and rotate that token/)]);
    expect(problems.join('')).not.toContain(token.slice(13, 40));
  });

  test('a value far outside any date is refused with its line and the fix, not a RangeError', () => {
    expect(() => readTokenInventory({ fileName: 'map.ts', text: [HEAD, '  primary: -8640000000001,', '};'].join('\n') })).toThrow(
      /'primary' \(map\.ts:2\): the value must be the mint time as plain decimal digits|'primary' \(map\.ts:2\): mint epoch -8640000000001 is not plausible unix seconds/,
    );
  });
});

describe('readEpochMapFile: only a regular file of a sane size is a map', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'map-file-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test.each([
    ['a symlink (even to the real map): an edit would replace it', (file: string) => symlinkSync(EPOCH_MAP_FILE, file), 'is a symbolic link'],
    ['a symlink to /dev/zero: would read forever', (file: string) => symlinkSync('/dev/zero', file), 'is a symbolic link'],
    ['a FIFO: would hang', (file: string) => execFileSync('mkfifo', [file]), 'is not a regular file'],
    ['a folder', (file: string) => mkdirSync(file), 'is not a regular file'],
    ['over 4 MiB', (file: string) => writeFileSync(file, Buffer.alloc(MAX_EPOCH_MAP_BYTES + 1, 0x20)), 'has 4,194,305 bytes, more than the largest allowed'],
  ])('%s: refused at once, naming the file and the fix', (_name, make, message) => {
    const file = path.join(dir, 'token-mint-epochs.ts');
    make(file);
    const started = Date.now();
    expect(() => readEpochMapFile(file, 'stacks/claude-agent-service/token-mint-epochs.ts')).toThrow(EpochMapError);
    expect(() => readEpochMapFile(file, 'stacks/claude-agent-service/token-mint-epochs.ts')).toThrow(new RegExp(`stacks/claude-agent-service/token-mint-epochs\\.ts ${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  test('the real map reads as it is', () => {
    expect(readEpochMapFile(EPOCH_MAP_FILE, 'map.ts')).toBe(readFileSync(EPOCH_MAP_FILE, 'utf8'));
  });
});
