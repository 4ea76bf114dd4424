/**
 * The one reader of the epoch map's source. Synth, `tokens` and `check` all see the map through
 * {@link readEpochMap}: a real TypeScript parser (Babel's, which loads in ~30 ms where the
 * TypeScript compiler takes ~350 ms) reads the file into entries with exact line and column, and
 * every layout that a transpile-only runner (esbuild) would read differently from a reviewer is
 * refused with the line and the fix (one entry's rules: epoch-map-entry.ts). Edits (`tokens
 * rotate/remove`) are made on the parsed positions (epoch-map-edit.ts), so reading and writing agree.
 */
import { parse } from '@babel/parser';
import { lstatSync } from 'fs';
import { describeFileError, readBoundedFile, UnreadableFileError } from './bounded-file';
import { ONE_ENTRY, readEntry } from './epoch-map-entry';
import { redactSecrets, showArgument, TOKEN_SHAPED } from './token-shape';

/** Far above any real map (15,000 long entries are ~1.2 MB): a bigger file is not a map. */
export const MAX_EPOCH_MAP_BYTES = 4 * 1024 * 1024;

/**
 * The map file's text, refusing what is not a map file: a symlink (an edit would replace it with a
 * file), a FIFO or a device (a read would hang or never end), a file over {@link MAX_EPOCH_MAP_BYTES}.
 * Throws {@link EpochMapError} naming the file and the fix.
 */
export function readEpochMapFile(file: string, fileName: string): string {
  let link;
  try {
    link = lstatSync(file);
  } catch (error) {
    throw new EpochMapError([`${fileName} ${describeFileError(error)}: restore it from git (git checkout -- ${fileName}).`]);
  }
  if (link.isSymbolicLink()) {
    throw new EpochMapError([`${fileName} is a symbolic link: the map must be a regular file in the repository, reviewed in its diffs; replace the link with the file.`]);
  }
  if (!link.isFile()) throw new EpochMapError([`${fileName} is not a regular file (a FIFO, device or folder); restore the map from git.`]);
  try {
    // Opened without following a link (one may have replaced the file since) and without blocking.
    return readBoundedFile(file, { label: fileName, fix: 'restore the map from git', maxBytes: MAX_EPOCH_MAP_BYTES, refuseLinks: true });
  } catch (error) {
    if (error instanceof UnreadableFileError) throw new EpochMapError([error.message]);
    throw error;
  }
}

// The node types, as the parser itself declares them (its own copy of @babel/types).
type Program = ReturnType<typeof parse>['program'];
type Statement = Program['body'][number];
type Expression = Extract<Statement, { type: 'ExpressionStatement' }>['expression'];
type ObjectExpression = Extract<Expression, { type: 'ObjectExpression' }>;
export type Property = ObjectExpression['properties'][number];
export type Node = Statement | Expression | Property | Extract<Property, { type: 'ObjectProperty' }>['value'];

/** The exported constant the map must be. */
export const EPOCH_MAP_EXPORT = 'TOKEN_MINT_EPOCHS';

/** The epoch map file as text, and its name for messages. */
export interface EpochMapSource {
  /** The file's name as a reader should see it, e.g. `stacks/claude-agent-service/token-mint-epochs.ts`. */
  readonly fileName: string;
  readonly text: string;
}

/** One `<path>: <mint unix seconds>,` entry of the map. */
export interface EpochMapEntry {
  /** The token path, unquoted. */
  readonly path: string;
  /** The value as a number (digit separators removed). */
  readonly value: number;
  /** 1-based line of the entry. */
  readonly line: number;
  /** 1-based column of the entry's key. */
  readonly column: number;
  /** 0-based column just after the entry's value (where its comma goes). */
  readonly valueEnd: number;
}

/** The parsed map: its entries in file order, and where they stand (for edits). */
export interface EpochMapDocument extends EpochMapSource {
  readonly entries: readonly EpochMapEntry[];
  /** 1-based line of the object literal's `{` and `}`. */
  readonly openLine: number;
  readonly closeLine: number;
}

/** The map cannot be read, or an entry is wrong; `problems` names each with its place and fix. */
export class EpochMapError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      redactSecrets(
        `The token mint-epoch map has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n` +
          problems.map((problem) => `  - ${problem}`).join('\n'),
      ),
    );
    this.name = 'EpochMapError';
  }
}

/**
 * Parses the map's source. Throws {@link EpochMapError} for a syntax error (at its line, with the
 * fix) or for any layout not read identically by every reader: anything but the one exported object
 * literal, a key that is not a plain name or string, a value that is not plain decimal digits, two
 * entries on one line, an entry split over lines, or a path listed twice.
 */
export function readEpochMap(source: EpochMapSource): EpochMapDocument {
  const at = (node: Node) => `${source.fileName}:${node.loc!.start.line}`;
  // JavaScript ends a line (and so a // comment) at CR, U+2028 and U+2029 too, where git, a diff and
  // a line-based edit do not: a lone one could hide an entry in what a reviewer sees as a comment.
  const oddLineEnd = /\r(?!\n|$)|\u2028|\u2029/.exec(source.text);
  if (oddLineEnd) {
    const line = source.text.slice(0, oddLineEnd.index).split('\n').length;
    const what = oddLineEnd[0] === '\r' ? 'a carriage return (CR) not followed by LF' : `a ${oddLineEnd[0] === '\u2028' ? 'LINE' : 'PARAGRAPH'} SEPARATOR (U+${oddLineEnd[0].charCodeAt(0).toString(16).toUpperCase()})`;
    throw new EpochMapError([`${source.fileName}:${line}: ${what}: JavaScript ends a line there and a diff does not, so readers would disagree. Use LF (or CRLF) line ends only.`]);
  }
  if (source.text.startsWith('#!')) {
    throw new EpochMapError([`${source.fileName}:1: a '#!' line: the map is a module, not a script (synth could not load it); delete that line.`]);
  }
  // A token anywhere in the file (comments included) is in git as soon as it is committed.
  const tokenAt = new RegExp(TOKEN_SHAPED.source).exec(source.text);
  const tokenProblem = tokenAt
    ? `${source.fileName}:${source.text.slice(0, tokenAt.index).split('\n').length}: holds a token (${redactSecrets(tokenAt[0])}): ` +
      'delete it from the file now, and rotate that token (it has been written to disk and may be in history).'
    : undefined;
  let program: Program;
  try {
    program = parse(source.text, { sourceType: 'module', plugins: ['typescript'], errorRecovery: false }).program;
  } catch (error) {
    if (tokenProblem) throw new EpochMapError([tokenProblem]);
    const { loc, message } = error as { loc?: { line: number; column: number }; message: string };
    const where = loc ? `${source.fileName}:${loc.line}:${loc.column + 1}` : source.fileName;
    throw new EpochMapError([
      `${where}: the file is not valid TypeScript (${message.replace(/\s*\(\d+:\d+\)$/, '')}). ` +
        `Compare it with 'git diff ${source.fileName}': the map keeps ${ONE_ENTRY}.`,
    ]);
  }

  const problems: string[] = [];
  let literal: ObjectExpression | undefined;
  for (const statement of program.body) {
    const found = exportedObjectLiteral(statement);
    if (found && !literal) literal = found;
    else problems.push(`${at(statement)}: only the '${EPOCH_MAP_EXPORT}' object literal (and comments) may stand in this file; remove this statement.`);
  }
  if (!literal) {
    throw new EpochMapError([
      ...problems,
      `${source.fileName}: no 'export const ${EPOCH_MAP_EXPORT}: Readonly<Record<string, number>> = { … };' found; restore it from git.`,
    ]);
  }

  const lines = source.text.split('\n');
  const entries: EpochMapEntry[] = [];
  for (const property of literal.properties) {
    const entry = readEntry(property, source.fileName, lines, problems);
    if (entry) entries.push(entry);
  }
  for (const [path, where] of groupLines(entries)) {
    if (where.length > 1) {
      problems.push(
        `'${showArgument(path)}' is listed ${where.length} times (${source.fileName} lines ${where.join(', ')}): only the last would count. Keep one line per token path.`,
      );
    }
  }
  // A token written as a key is the inventory's to name (with its line); anywhere else, it is named here.
  if (tokenProblem && !entries.some((entry) => TOKEN_SHAPED.source && new RegExp(TOKEN_SHAPED.source).test(entry.path))) problems.push(tokenProblem);
  if (problems.length > 0) throw new EpochMapError(problems);
  return { ...source, entries, openLine: literal.loc!.start.line, closeLine: literal.loc!.end.line };
}

/** The object literal of `export const TOKEN_MINT_EPOCHS[: type] = { … }`, if that is what `statement` is. */
function exportedObjectLiteral(statement: Statement): ObjectExpression | undefined {
  if (statement.type !== 'ExportNamedDeclaration' || statement.declaration?.type !== 'VariableDeclaration') return undefined;
  const declaration = statement.declaration;
  if (declaration.kind !== 'const' || declaration.declarations.length !== 1) return undefined;
  const [declarator] = declaration.declarations;
  if (declarator.id.type !== 'Identifier' || declarator.id.name !== EPOCH_MAP_EXPORT) return undefined;
  return declarator.init?.type === 'ObjectExpression' ? declarator.init : undefined;
}

function groupLines(entries: readonly EpochMapEntry[]): Map<string, number[]> {
  const byPath = new Map<string, number[]>();
  for (const entry of entries) byPath.set(entry.path, [...(byPath.get(entry.path) ?? []), entry.line]);
  return byPath;
}

/** The map as data: path -> mint unix seconds, in file order. */
export function mintEpochsOf(document: EpochMapDocument): Record<string, number> {
  return Object.fromEntries(document.entries.map((entry) => [entry.path, entry.value]));
}
