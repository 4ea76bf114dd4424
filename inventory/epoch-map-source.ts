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
