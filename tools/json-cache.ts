import { createHash } from 'crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'fs';
import * as path from 'path';

/** Beside the loader's cache (tools/register-ts.js): `npm ci` starts it empty, and nothing else reads it. */
const CACHE_ROOT = path.resolve(__dirname, '..', 'node_modules', '.cache', 'claude-oauth-tokens');

/**
 * `compute(source)`, kept as JSON by the source's content hash: a later run with the same source
 * reads the result back instead of computing it (parsing a megabyte of CRD YAML takes 300 ms; reading
 * its JSON, 7). A cache that cannot be read or written only costs computing again.
 */
export function cachedBySource<T>(namespace: string, source: string, compute: (source: string) => T): T {
  const file = path.join(CACHE_ROOT, namespace, `${createHash('sha256').update(source).digest('hex')}.json`);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    // not kept yet, or unreadable: computed below
  }
  const result = compute(source);
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    // Whole or not at all: a parallel run never reads half a file.
    const incoming = `${file}.${process.pid}.tmp`;
    writeFileSync(incoming, JSON.stringify(result));
    renameSync(incoming, file);
  } catch {
    // A read-only node_modules only costs computing again next time.
  }
  return result;
}
