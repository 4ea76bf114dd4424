/**
 * Edits of the epoch map's text (`tokens rotate/remove`), made on the positions the reader parsed,
 * keeping every other byte as it was.
 */
import { EpochMapDocument, EpochMapEntry } from './epoch-map-file';

/** `primary` stays bare; any other path is single-quoted (paths are validated DNS labels first). */
function keyFor(path: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(path) ? path : `'${path}'`;
}

function entryText(indent: string, key: string, mintEpoch: number, comment: string): string {
  return `${indent}${key}: ${mintEpoch}, // ${comment}`;
}

/** A file edited on Windows keeps its CRLF on the lines we write. */
function lineEnding(line: string): string {
  return line.endsWith('\r') ? '\r' : '';
}

function entryOf(document: EpochMapDocument, path: string): EpochMapEntry {
  const entry = document.entries.find((candidate) => candidate.path === path);
  if (!entry) throw new Error(`no entry '${path}' in ${document.fileName}`);
  return entry;
}

/**
 * The text with `path`'s line rewritten to `mintEpoch` and `comment` (the mint time in UTC), keeping
 * its indentation and key spelling and every other byte as it was.
 */
export function setEntry(document: EpochMapDocument, path: string, mintEpoch: number, comment: string): string {
  const entry = entryOf(document, path);
  const lines = document.text.split('\n');
  const original = lines[entry.line - 1];
  const keyAndRest = original.slice(entry.column - 1);
  const keySpelling = keyAndRest.slice(0, keyAndRest.indexOf(':')).trim();
  lines[entry.line - 1] = entryText(original.slice(0, entry.column - 1), keySpelling, mintEpoch, comment) + lineEnding(original);
  return lines.join('\n');
}

/** The text with `path` added as a new line after the last entry (indented like it), or as the first. */
export function addEntry(document: EpochMapDocument, path: string, mintEpoch: number, comment: string): string {
  const lines = document.text.split('\n');
  const last = document.entries[document.entries.length - 1];
  if (last) {
    const lastLine = lines[last.line - 1];
    // The last entry may lack its trailing comma; the new line must not make that a syntax error.
    const rest = lastLine.slice(last.valueEnd);
    if (!/^\s*,/.test(rest)) lines[last.line - 1] = `${lastLine.slice(0, last.valueEnd)},${rest}`;
    lines.splice(last.line, 0, entryText(lastLine.slice(0, last.column - 1), keyFor(path), mintEpoch, comment) + lineEnding(lastLine));
    return lines.join('\n');
  }
  if (document.openLine === document.closeLine) {
    const line = lines[document.openLine - 1];
    const open = line.indexOf('{');
    const close = line.indexOf('}', open);
    lines.splice(document.openLine - 1, 1, line.slice(0, open + 1), entryText('  ', keyFor(path), mintEpoch, comment), line.slice(close));
    return lines.join('\n');
  }
  lines.splice(document.closeLine - 1, 0, entryText('  ', keyFor(path), mintEpoch, comment));
  return lines.join('\n');
}

/** The text without `path`'s line. */
export function removeEntry(document: EpochMapDocument, path: string): string {
  const entry = entryOf(document, path);
  const lines = document.text.split('\n');
  lines.splice(entry.line - 1, 1);
  return lines.join('\n');
}
