/**
 * The small checks every setting is built from: each takes a JSON value and where it is (`cdktf.json
 * context.<key>`), returns the typed value, or pushes a problem naming the place and the fix.
 */

export type Json = unknown;
export type Check<T> = (value: Json, at: string, problems: string[]) => T | undefined;

export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export const isObject = (value: Json): value is Record<string, Json> => typeof value === 'object' && value !== null && !Array.isArray(value);
/** A value as a message may show it: short, and with any URL's user and password left out. */
export const shown = (value: Json) =>
  // JSON reads 1e400 as Infinity, which JSON.stringify would show as null.
  typeof value === 'number' && !Number.isFinite(value) ? 'a number too large for JSON to hold' : withoutUserinfo(JSON.stringify(value)?.slice(0, 60) ?? String(value));
export const withoutUserinfo = (text: string) => text.replace(/\/\/[^/@\s"]*@/g, '//…@');

export const boolean: Check<boolean> = (value, at, problems) => {
  if (typeof value === 'boolean') return value;
  problems.push(`${at} is ${shown(value)}: write true or false (JSON booleans, unquoted).`);
  return undefined;
};

export const text =
  (what: string, pattern?: RegExp, example?: string): Check<string> =>
  (value, at, problems) => {
    if (typeof value === 'string' && value !== '' && (!pattern || pattern.test(value))) return value;
    problems.push(`${at} is ${shown(value)}: write ${what}${example ? `, e.g. ${JSON.stringify(example)}` : ''}.`);
    return undefined;
  };

export const namespaceName = text('a Kubernetes namespace name (lowercase letters, digits and -)', DNS_LABEL, 'claude-agent');

/** `null` or absent means "off"; anything else must pass `check`. */
export const optional =
  <T>(check: Check<T>): Check<T | undefined> =>
  (value, at, problems) =>
    value === null || value === undefined ? undefined : check(value, at, problems);

/** An object with exactly these keys (those not in `optionalKeys` required). */
export function object<T>(shape: { readonly [K in keyof T]-?: Check<T[K]> }, example: string, optionalKeys: ReadonlyArray<keyof T> = []): Check<T> {
  return (value, at, problems) => {
    if (!isObject(value)) {
      problems.push(`${at} is ${shown(value)}: write an object, e.g. ${example}.`);
      return undefined;
    }
    const before = problems.length;
    const result: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const key of Object.keys(value)) {
      if (!Object.hasOwn(shape, key)) problems.push(`${at}.${key} is not a setting here; the keys are ${Object.keys(shape).join(', ')}.`);
    }
    for (const [key, check] of Object.entries<Check<unknown>>(shape)) {
      if (!Object.hasOwn(value, key) && (optionalKeys as ReadonlyArray<string | number | symbol>).includes(key)) continue;
      if (!Object.hasOwn(value, key)) {
        problems.push(`${at}.${key} is missing, e.g. ${example}.`);
        continue;
      }
      result[key] = check(value[key], `${at}.${key}`, problems);
    }
    return problems.length === before ? (result as T) : undefined;
  };
}

export const wholeDays: Check<number> = (value, at, problems) => {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  problems.push(`${at} is ${shown(value)}: write a whole number of days.`);
  return undefined;
};
