/**
 * Reads the epoch map's source text line by line. A transpile-only runner (esbuild, ts-node
 * --transpile-only) keeps only the last of two equal keys in an object literal without a word;
 * only the text still shows both, with their line numbers for the error.
 */

/** One `<path>: <value>,` line of the map's object literal. */
export interface EpochMapSourceEntry {
  readonly path: string;
  /** The value as written, e.g. `1776528429`. */
  readonly valueText: string;
  /** 1-based line number in the file. */
  readonly line: number;
}

/** The epoch map file as text, and its name for error messages. */
export interface EpochMapSource {
  readonly fileName: string;
  readonly text: string;
}

const ENTRY_LINE = /^\s*(?:'([^']*)'|"([^"]*)"|([A-Za-z_$][\w$-]*))\s*:\s*([^,/]*?)\s*,?\s*(?:\/\/.*)?$/;

/** The entries of the first object literal (`= {` … `}`) in the file, in order. */
export function scanEpochMapSource(text: string): EpochMapSourceEntry[] {
  const lines = text.split('\n');
  const open = lines.findIndex((line) => /=\s*\{\s*$/.test(line));
  if (open < 0) return [];
  const entries: EpochMapSourceEntry[] = [];
  for (let i = open + 1; i < lines.length && !/^\s*\}/.test(lines[i]); i++) {
    const match = ENTRY_LINE.exec(lines[i]);
    if (!match) continue;
    entries.push({ path: match[1] ?? match[2] ?? match[3], valueText: match[4], line: i + 1 });
  }
  return entries;
}

/** Paths written more than once, each with every line it stands on. */
export function findDuplicatePaths(text: string): Array<{ path: string; lines: number[] }> {
  const linesByPath = new Map<string, number[]>();
  for (const entry of scanEpochMapSource(text)) {
    linesByPath.set(entry.path, [...(linesByPath.get(entry.path) ?? []), entry.line]);
  }
  return [...linesByPath].filter(([, lines]) => lines.length > 1).map(([path, lines]) => ({ path, lines }));
}

/** The map the source text spells out: path -> number, or the entries whose value is not a plain integer. */
export function mintEpochsFromSource(text: string): { mintEpochs: Record<string, number>; unreadable: EpochMapSourceEntry[] } {
  const mintEpochs: Record<string, number> = {};
  const unreadable: EpochMapSourceEntry[] = [];
  for (const entry of scanEpochMapSource(text)) {
    const literal = entry.valueText.replace(/_/g, '');
    if (/^-?\d+(\.\d+)?$/.test(literal)) mintEpochs[entry.path] = Number(literal);
    else unreadable.push(entry);
  }
  return { mintEpochs, unreadable };
}

/** `primary` stays bare; other paths are quoted as the file quotes them (`'spare-1'`). */
function keyFor(path: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(path) ? path : `'${path}'`;
}

function entryLine(indent: string, key: string, mintEpoch: number, comment: string): string {
  return `${indent}${key}: ${mintEpoch}, // ${comment}`;
}

/**
 * Rewrites the one line of `path` to `mintEpoch` with `comment` (the mint time in UTC), keeping its
 * indentation and quoting and every other line as it was. Throws if the path is not in the map.
 */
export function setEntry(text: string, path: string, mintEpoch: number, comment: string): string {
  const entry = scanEpochMapSource(text).find((candidate) => candidate.path === path);
  if (!entry) throw new Error(`no entry '${path}' in the map`);
  const lines = text.split('\n');
  const original = lines[entry.line - 1];
  const indent = /^\s*/.exec(original)![0];
  const key = original.trimStart().slice(0, original.trimStart().indexOf(':')).trim();
  lines[entry.line - 1] = entryLine(indent, key, mintEpoch, comment);
  return lines.join('\n');
}

/** Adds `path` as a new line after the last entry, indented like it. */
export function addEntry(text: string, path: string, mintEpoch: number, comment: string): string {
  const entries = scanEpochMapSource(text);
  const lines = text.split('\n');
  const last = entries[entries.length - 1];
  const afterLine = last ? last.line : lines.findIndex((line) => /=\s*\{\s*$/.test(line)) + 1;
  const indent = last ? /^\s*/.exec(lines[last.line - 1])![0] : '  ';
  lines.splice(afterLine, 0, entryLine(indent, keyFor(path), mintEpoch, comment));
  return lines.join('\n');
}

/** Removes the line of `path`. Throws if the path is not in the map. */
export function removeEntry(text: string, path: string): string {
  const entry = scanEpochMapSource(text).find((candidate) => candidate.path === path);
  if (!entry) throw new Error(`no entry '${path}' in the map`);
  const lines = text.split('\n');
  lines.splice(entry.line - 1, 1);
  return lines.join('\n');
}
