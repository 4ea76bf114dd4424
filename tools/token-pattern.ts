/**
 * What a Claude/Anthropic credential looks like: setup-tokens (`oat`), refresh tokens (`ort`) and API
 * keys (`api`). Assembled from parts so that this file is not itself a match.
 */
export const TOKEN_SHAPED = new RegExp(['sk', 'ant', '(?:oat|ort|api)[0-9]{2}', '[A-Za-z0-9_-]{16,}'].join('-'), 'g');

/** The same pattern for `git grep -E`. */
export const TOKEN_SHAPED_ERE = ['sk', 'ant', '(oat|ort|api)[0-9]{2}', '[A-Za-z0-9_-]{16,}'].join('-');

/** A match as it may be printed: its prefix only, so a report never repeats a secret. */
export function redactToken(match: string): string {
  return `${match.slice(0, 14)}…(redacted, ${match.length} chars)`;
}
