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
  const comment = /^\s*,?\s*\/\/\s*(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)/.exec(after)?.[1];
  // Only for a value that is plausibly seconds: milliseconds and other slips get their own message.
  const written = Number.isInteger(value) && value >= 1e9 && value < 1e11 ? new Date(value * 1000).toISOString().replace('.000Z', 'Z') : undefined;
  if (comment && written && comment !== written) {
    problems.push(
      `${named}: its date comment says ${comment}, but ${value} is ${written}: one of them is wrong. ` +
        `Correct it (npm run tokens -- rotate ${path} --minted-at <when it was minted> writes both).`,
    );
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
