/**
 * The small checks every setting is built from: each takes a JSON value and where it is (`cdktf.json
 * context.<key>`), returns the typed value, or pushes a problem naming the place and the fix.
 */

export type Json = unknown;
export type Check<T> = (value: Json, at: string, problems: string[]) => T | undefined;

export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export const isObject = (value: Json): value is Record<string, Json> => typeof value === 'object' && value !== null && !Array.isArray(value);
/** A value as a message may show it: short, and with any URL's user and password left out. */
export const shown = (value: Json) => withoutUserinfo(JSON.stringify(value)?.slice(0, 60) ?? String(value));
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

/**
 * An http(s) URL as it lands downstream: in alert annotations (Go templates: no `{`, `}`), in the
 * provider block and the pods' environment. It carries no user or password: settings are committed
 * and copied into the synth output. `fragment: false` where a `#anchor` is appended to it.
 */
export const url =
  (example: string, { fragment = true }: { fragment?: boolean } = {}): Check<string> =>
  (value, at, problems) => {
    const parsed = text('an http(s) URL with no spaces', /^https?:\/\/[^\s/?#]+[^\s]*$/, example)(value, at, problems);
    if (parsed === undefined) return undefined;
    let address: URL;
    try {
      address = new URL(parsed);
    } catch {
      problems.push(`${at} is ${shown(parsed)}: not a URL; write e.g. ${JSON.stringify(example)}.`);
      return undefined;
    }
    if (address.username || address.password) {
      problems.push(`${at} holds a user or password in its URL (${shown(parsed)}): settings are committed and copied into the synth output; remove them (credentials come from the environment or Vault).`);
      return undefined;
    }
    if (/[{}<>"\\^`|]/.test(parsed)) {
      problems.push(`${at} is ${shown(parsed)}: a URL cannot hold { } < > " \\ ^ \` or | unencoded (Prometheus would read {{ as a template); percent-encode them.`);
      return undefined;
    }
    if (!fragment && parsed.includes('#')) {
      problems.push(`${at} is ${shown(parsed)}: write it without a #fragment; each alert appends the anchor of its runbook section.`);
      return undefined;
    }
    return parsed;
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

export const secretKeyReference = object<{ name: string; key: string }>(
  { name: text('a Secret name'), key: text('a key of that Secret') },
  '{"name": "keep-api", "key": "api-key"}',
);

export const stringMap: Check<Record<string, string>> = (value, at, problems) => {
  if (isObject(value) && Object.keys(value).length > 0 && Object.values(value).every((v) => typeof v === 'string' && v !== '')) {
    return value as Record<string, string>;
  }
  problems.push(`${at} is ${shown(value)}: write labels as an object of strings, e.g. {"release": "kube-prometheus-stack"}.`);
  return undefined;
};

export const wholeDays: Check<number> = (value, at, problems) => {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  problems.push(`${at} is ${shown(value)}: write a whole number of days.`);
  return undefined;
};
