/**
 * The JSON a setting arrives in, before any setting is read: parsed with its duplicate keys found (JSON
 * keeps only the last), and screened for what must never be a setting: a credential, or Terraform
 * template syntax.
 */

import { looksLikeToken, redactSecrets } from '../inventory/token-shape';
import { isObject, Json } from './setting-checks';

/** A JSON document as text, and its name for messages (`cdktf.json`, `CDKTF_CONTEXT_JSON`). */
export interface SettingsSource {
  readonly name: string;
  readonly text: string;
}

/**
 * Settings are reviewed, committed and copied into the synth output (a URL into every alert, a context
 * into the provider block): a credential in one would land in all of those, so it is refused, shown by
 * its prefix and length only.
 */
export function credentialsIn(value: Json, at: string): string[] {
  if (typeof value === 'string') {
    return looksLikeToken(value) ? [`${at} holds a credential (${redactSecrets(value)}): settings are not secret; keep it in Vault and remove it here.`] : [];
  }
  if (Array.isArray(value)) return value.flatMap((item, index) => credentialsIn(item, `${at}[${index}]`));
  if (isObject(value)) return Object.entries(value).flatMap(([key, item]) => [...(looksLikeToken(key) ? [`${at} has a credential as a key: remove it.`] : []), ...credentialsIn(item, `${at}.${key}`)]);
  return [];
}

/**
 * Terraform reads `${…}` and `%{…}` in its JSON as templates. Synth escapes every literal it writes,
 * so such a setting would reach Terraform as the literal text, never evaluated: whoever wrote it
 * expected something else, and no name or URL here holds one. Refused, with the place.
 */
export function templateSequencesIn(value: Json, at: string): string[] {
  const sequence = (text: string) => /\$\{|%\{/.exec(text)?.[0];
  if (typeof value === 'string') {
    const found = sequence(value);
    return found ? [`${at} holds "${found}" (Terraform template syntax): settings are copied as literal text and never interpolated; write the value itself.`] : [];
  }
  if (Array.isArray(value)) return value.flatMap((item, index) => templateSequencesIn(item, `${at}[${index}]`));
  if (isObject(value)) {
    return Object.entries(value).flatMap(([key, item]) => [
      ...(sequence(key) ? [`${at} has the key ${JSON.stringify(key)}, which holds Terraform template syntax: write the key itself.`] : []),
      ...templateSequencesIn(item, `${at}.${key}`),
    ]);
  }
  return [];
}

export function parseJson(source: SettingsSource, problems: string[]): Json {
  try {
    const parsed: Json = JSON.parse(source.text);
    const { duplicates, deepest } = scanStructure(source.text);
    // Every later check walks the value; no setting nests beyond a handful of levels.
    if (deepest.depth > MAX_SETTINGS_DEPTH) {
      problems.push(`${source.name}:${lineAndColumn(source.text, deepest.offset)}: nests ${deepest.depth} levels deep; no setting nests more than ${MAX_SETTINGS_DEPTH}: fix the brackets there.`);
      return undefined;
    }
    for (const { key, offset } of duplicates) {
      problems.push(`${source.name}:${lineAndColumn(source.text, offset)}: ${JSON.stringify(key)} appears twice in one object, and JSON keeps only the last; keep one.`);
    }
    return parsed;
  } catch (error) {
    const message = (error as Error).message;
    const position = /at position (\d+)/.exec(message)?.[1];
    const where = position === undefined ? '' : `:${lineAndColumn(source.text, Number(position))}`;
    problems.push(`${source.name}${where}: not valid JSON (${message.replace(/ in JSON at position \d+.*$/, '')}); fix the syntax there.`);
    return undefined;
  }
}

/** Deeper than any setting nests (cdktf.json, context, a setting, a list, an entry, a field): a mistake or an attack. */
const MAX_SETTINGS_DEPTH = 16;

/**
 * Keys written twice in one object of `text` (valid JSON), each with the offset of its second use,
 * and where it nests deepest. A loop, not recursion: any depth is read without exhausting the stack.
 */
function scanStructure(text: string): { duplicates: { key: string; offset: number }[]; deepest: { depth: number; offset: number } } {
  const found: { key: string; offset: number }[] = [];
  const deepest = { depth: 0, offset: 0 };
  // One entry per open container: the keys seen so far in an object, null in an array.
  const open: (Set<string> | null)[] = [];
  let expectingKey = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const keys = open[open.length - 1];
      if (expectingKey && keys) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (keys.has(key)) found.push({ key, offset: i });
        keys.add(key);
        expectingKey = false;
      }
      i = end;
    } else if (char === '{' || char === '[') {
      open.push(char === '{' ? new Set() : null);
      expectingKey = char === '{';
      if (open.length > deepest.depth) Object.assign(deepest, { depth: open.length, offset: i });
    } else if (char === '}' || char === ']') {
      open.pop();
    } else if (char === ',') {
      expectingKey = open[open.length - 1] !== null;
    }
  }
  return { duplicates: found, deepest };
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `${before.length}:${before[before.length - 1].length + 1}`;
}
