/**
 * One entry of the epoch map, `<path>: <mint unix seconds>, // <mint instant>`, as every reader must
 * read it alike: a plain key, plain decimal digits of whole seconds, alone on its line, its date
 * comment (if any) the same instant as its value.
 */
import { EpochMapEntry, Node, Property } from './epoch-map-file';
import { showArgument } from './token-shape';

/** How an entry is written, for messages. */
export const ONE_ENTRY = `one line per token: \`  'spare-1': 1776528280, // 2026-04-18T16:04:40Z\``;

export function readEntry(property: Property, fileName: string, lines: readonly string[], problems: string[]): EpochMapEntry | undefined {
  const line = property.loc!.start.line;
  const where = `${fileName}:${line}`;
  if (property.type !== 'ObjectProperty' || property.computed || property.shorthand) {
    problems.push(`${where}: only '<token path>: <mint unix seconds>,' entries belong in the map (no spreads, methods, computed or shorthand keys): ${ONE_ENTRY}.`);
    return undefined;
  }
  const key = property.key;
  let path: string;
  if (key.type === 'Identifier') path = key.name;
  else if (key.type === 'StringLiteral') path = key.value;
  else {
    problems.push(`${where}: write the token path as a name or a quoted string, e.g. 'spare-1'.`);
    return undefined;
  }
  const named = `'${showArgument(path)}' (${where})`;
  const valueNode = property.value;
  const value = plainNumber(valueNode);
  if (value === undefined) {
    problems.push(`${named}: the value must be the mint time as plain decimal digits of unix seconds, e.g. 1776528429 (not ${describeNode(valueNode)}).`);
    return undefined;
  }
  const inexact = inexactProblem(valueNode);
  if (inexact) {
    problems.push(`${named}: ${inexact}`);
    return undefined;
  }
  if (valueNode.loc!.end.line !== line) {
    problems.push(`${named}: its value continues on line ${valueNode.loc!.end.line}; keep ${ONE_ENTRY}.`);
    return undefined;
  }
  const text = lines[line - 1];
  const before = text.slice(0, key.loc!.start.column);
  const after = text.slice(valueNode.loc!.end.column);
  if (before.trim() !== '' || !/^\s*,?\s*(\/\/[^\n]*)?$/.test(after)) {
    problems.push(`${named}: shares its line with other code or entries; keep ${ONE_ENTRY}.`);
    return undefined;
  }
  const commentProblem = dateCommentProblem(/^\s*,?\s*\/\/(.*)$/.exec(after)?.[1], value, path);
  if (commentProblem) {
    problems.push(`${named}: ${commentProblem}`);
    return undefined;
  }
  return { path, value, line, column: key.loc!.start.column + 1, valueEnd: valueNode.loc!.end.column };
}

/** The value of a decimal numeric literal (`1776528429`, `1_776_528_429`, `1776528429.5`, `-1`), else undefined. */
function plainNumber(node: Node): number | undefined {
  if (node.type === 'UnaryExpression' && node.operator === '-' && node.prefix) {
    const magnitude = plainNumber(node.argument);
    return magnitude === undefined ? undefined : -magnitude;
  }
  if (node.type !== 'NumericLiteral') return undefined;
  const raw = (node.extra?.raw as string | undefined) ?? String(node.value);
  return /^\d[\d_]*(\.\d[\d_]*)?$/.test(raw) ? Number(raw.replace(/_/g, '')) : undefined;
}

/** What a value is, without repeating it (it could be a pasted token). */
function describeNode(node: Node): string {
  switch (node.type) {
    case 'NumericLiteral':
      return 'a hex, octal, binary or exponent literal';
    case 'StringLiteral':
    case 'TemplateLiteral':
      return 'a string';
    case 'Identifier':
      return 'a name';
    default:
      return 'an expression';
  }
}

/**
 * Why a value written as a literal is not exactly the number it reads as, or undefined: a fraction
 * (`1776528429.000000000000000000001` reads as a whole number, and `.99999999` rounds up) or more digits
 * than a double holds exactly (a 400-digit value reads as Infinity).
 */
function inexactProblem(node: Node): string | undefined {
  const literal = node.type === 'UnaryExpression' ? node.argument : node;
  if (literal.type !== 'NumericLiteral') return undefined;
  const raw = ((literal.extra?.raw as string | undefined) ?? String(literal.value)).replace(/_/g, '');
  const [whole, fraction] = raw.split('.');
  const sign = node.type === 'UnaryExpression' ? '-' : '';
  if (whole.replace(/^0+/, '').length > 15) {
    return `mint epoch ${showArgument(`${sign}${raw}`)} has ${whole.length} digits: unix seconds of a mint have 10; write the unix seconds of minting, e.g. 1776528429.`;
  }
  if (fraction !== undefined) return `mint epoch ${showArgument(`${sign}${raw}`)} is not a whole number of seconds: write ${sign}${whole}.`;
  return undefined;
}

/** Anything that looks like a date or an instant, in any of the forms people write (ISO 8601 or not). */
const DATE_LIKE = /\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./]\d{1,2}[./]\d{4}|\d{8}T\d{4,6}/;

/**
 * A date comment, when there is one, is the value's instant in the one canonical form the CLI writes
 * (`2026-04-18T16:07:09Z`), first in the comment: a date-only, offset or worded comment could say a
 * different instant than the value, and a reviewer reads the comment. Invisible or direction-changing
 * characters could make the comment show something else than it holds.
 */
function dateCommentProblem(comment: string | undefined, value: number, path: string): string | undefined {
  if (comment === undefined) return undefined;
  const invisible = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u.exec(comment.replace(/\r$/, ''));
  if (invisible) {
    return `its comment holds U+${invisible[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}, an invisible or direction-changing character that makes a reviewer see something else than is there: delete it.`;
  }
  if (!DATE_LIKE.test(comment)) return undefined;
  // Only for a value that is plausibly seconds: milliseconds and other slips get their own message.
  if (!(Number.isInteger(value) && value >= 1e9 && value < 1e11)) return undefined;
  const written = new Date(value * 1000).toISOString().replace('.000Z', 'Z');
  if (new RegExp(`^\\s*${written}([\\s,;)]|$)`).test(comment)) return undefined;
  const fix = `Correct it (npm run tokens -- rotate ${path} --minted-at <when it was minted> writes both).`;
  const canonical = /^\s*(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)([\s,;)]|$)/.exec(comment)?.[1];
  if (canonical) return `its date comment says ${canonical}, but ${value} is ${written}: one of them is wrong. ${fix}`;
  return (
    `its date comment "${showArgument(comment.trim())}" is not in the one form a reviewer can check against the value ` +
    `(the instant in UTC to the second, first in the comment: ${written} for ${value}): write that, or the right instant if the value is wrong. ${fix}`
  );
}
