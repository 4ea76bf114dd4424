import { EpochMapError, mintEpochsOf, readEpochMap } from '../../inventory/epoch-map-file';

const HEAD = 'export const TOKEN_MINT_EPOCHS: Readonly<Record<string, number>> = {';
const mapWith = (line: string) => [HEAD, line, '};'].join('\n');
const problemsOf = (text: string): readonly string[] => {
  try {
    readEpochMap({ fileName: 'map.ts', text });
  } catch (error) {
    if (error instanceof EpochMapError) return error.problems;
    throw error;
  }
  return [];
};

/** A value is exactly the number written; a date comment says exactly the value's instant (1776528429 is 2026-04-18T16:07:09Z). */
describe('an entry means exactly what a reviewer reads', () => {
  test.each([
    ['a fraction a double rounds away', '  primary: 1776528429.000000000000000000001,', /mint epoch 1776528429\.0000.*is not a whole number of seconds: write 1776528429\./],
    ['a fraction a double rounds up', '  primary: 1776528429.99999999,', /mint epoch 1776528429\.99999999 is not a whole number of seconds: write 1776528429\./],
    ['400 digits (Infinity)', `  primary: 1${'0'.repeat(399)},`, /mint epoch 1000.*…\(400 chars\) has 400 digits: unix seconds of a mint have 10/],
    ['a date-only comment', '  primary: 1776528429, // 2026-04-18', /its date comment "2026-04-18" is not in the one form .*2026-04-18T16:07:09Z for 1776528429/],
    ['a worded comment before the date', '  primary: 1776528429, // minted 2026-04-18T16:07:09Z', /its date comment "minted 2026-04-18T16:07:09Z" is not in the one form/],
    ['the same instant at another offset', '  primary: 1776528429, // 2026-04-18T18:07:09+02:00', /its date comment "2026-04-18T18:07:09\+02:00" is not in the one form/],
    ['a space for the T', '  primary: 1776528429, // 2026-04-18 16:07:09', /is not in the one form/],
    ['a day-first date', '  primary: 1776528429, // 18.04.2026', /is not in the one form/],
    ['ISO 8601 basic form', '  primary: 1776528429, // 20260418T160709Z', /is not in the one form/],
    ['another canonical instant', '  primary: 1776528429, // 2026-04-19T16:07:09Z', /its date comment says 2026-04-19T16:07:09Z, but 1776528429 is 2026-04-18T16:07:09Z: one of them is wrong/],
    ['a bidi override in the comment', '  primary: 1776528429, // 2026-04-18T16:07:09Z \u202E', /its comment holds U\+202E, an invisible or direction-changing character/],
    ['a zero-width space in the comment', '  primary: 1776528429, // minted\u200B by alice', /its comment holds U\+200B/],
  ])('%s: refused, naming the entry and the fix', (_, line, message) => {
    const problems = problemsOf(mapWith(line));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^'primary' \(map\.ts:2\): /);
    expect(problems[0]).toMatch(message);
  });

  test.each([
    ['the canonical comment', '  primary: 1776528429, // 2026-04-18T16:07:09Z'],
    ['the canonical comment and words after it', '  primary: 1776528429, // 2026-04-18T16:07:09Z, minted by alice'],
    ['a comment with no date', '  primary: 1776528429, // minted on the laptop'],
    ['no comment', '  primary: 1_776_528_429,'],
  ])('%s: read as written', (_, line) => {
    expect(mintEpochsOf(readEpochMap({ fileName: 'map.ts', text: mapWith(line) }))).toEqual({ primary: 1776528429 });
  });
});
