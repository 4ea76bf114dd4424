/**
 * What a Claude/Anthropic credential looks like, and the one way any message of this project shows
 * one: every `sk-ant-<family><version>-` key, setup-tokens (`oat01`), refresh tokens (`ort01`), API keys
 * (`api03`), admin keys (`admin01`) and any family to come. The patterns are assembled from parts so
 * that this file is not itself a match. No imports: the in-cluster scripts use it too.
 */

const FAMILY = '[a-z]{2,8}[0-9]{2}';
const PREFIX_PARTS = ['sk', 'ant', FAMILY, ''];

/** A credential as `check` hunts for it in files: the prefix and at least 16 secret characters. */
export const TOKEN_SHAPED = new RegExp(`${PREFIX_PARTS.join('-')}[A-Za-z0-9_-]{16,}`, 'g');

/** The same pattern for `git grep -E`. */
export const TOKEN_SHAPED_ERE = ['sk', 'ant', FAMILY, '[A-Za-z0-9_-]{16,}'].join('-');

/**
 * Where a credential may start: `sk-ant-`, whatever follows. What follows is never trusted to end
 * the secret (a space, a tab, an `_` typed for the `-`, a line wrapped at column 80 all occur), so
 * {@link redactSecrets} hides everything from here to the end of the line. A redaction already made
 * (`sk-ant-oat01-…(redacted, 108 chars)`) is not redacted again, nor the public prefix named alone
 * (`sk-ant-oat01-` followed by a space, a quote or punctuation).
 */
const CREDENTIAL_PREFIX = ['sk', 'ant', ''].join('-');
const REDACTED_MARK = '…(redacted, ';
const CREDENTIAL_START = new RegExp(`${CREDENTIAL_PREFIX}(?!(?:${FAMILY}-)?(?:…\\(redacted, \\d+ chars\\)|[\\s'"\`),.:]|$))[^\\r\\n]*`, 'g');

/** The prefix every `claude setup-token` token starts with. */
export const SETUP_TOKEN_PREFIX = ['sk', 'ant', 'oat01', ''].join('-');
/** Length of a `claude setup-token` token, prefix included. */
export const SETUP_TOKEN_LENGTH = 108;

/** One credential as it may be printed: its prefix and its length, never a secret character. */
export function redactToken(match: string): string {
  const prefix = new RegExp(`^${PREFIX_PARTS.join('-')}`).exec(match)?.[0] ?? CREDENTIAL_PREFIX;
  return `${prefix}${REDACTED_MARK}${match.length} chars)`;
}

/**
 * `text` with every credential-looking run replaced by its prefix and length. Every message this
 * project prints (CLI errors, the check's report, synth's errors, the in-cluster scripts' logs)
 * passes through here.
 */
export function redactSecrets(text: string): string {
  return text.replace(CREDENTIAL_START, (match) => redactToken(match));
}

/** Longest a command-line argument is shown in a message; the rest is counted, not printed. */
const SHOWN_ARGUMENT_CHARS = 80;

/**
 * A command-line argument as any message of this project shows it: a credential redacted from its
 * prefix to the end of the argument (newlines included), control and invisible characters escaped,
 * and anything longer than {@link SHOWN_ARGUMENT_CHARS} cut, with its length said.
 */
export function showArgument(argument: string): string {
  const start = argument.indexOf(CREDENTIAL_PREFIX);
  const redacted = start < 0 ? argument : `${argument.slice(0, start)}${redactToken(argument.slice(start))}`;
  const escaped = escapeInvisible(redacted);
  return escaped.length <= SHOWN_ARGUMENT_CHARS ? escaped : `${escaped.slice(0, SHOWN_ARGUMENT_CHARS)}…(${argument.length} chars)`;
}

/** Control, format (bidi, zero-width) and unpaired surrogate characters as `\u{…}` escapes. */
export function escapeInvisible(text: string): string {
  return text.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu, (char) => `\\u{${char.codePointAt(0)!.toString(16)}}`);
}

/** Whether `text` holds something credential-looking: the `sk-ant-` prefix, whatever follows it. */
export function looksLikeToken(text: string): boolean {
  return text.includes(CREDENTIAL_PREFIX);
}

/**
 * Why `candidate` (already trimmed) cannot be a `claude setup-token` token, or undefined when its
 * shape is right. Never repeats the candidate: positions, counts and the public prefix only.
 */
export function setupTokenShapeProblem(candidate: string): string | undefined {
  const lines = candidate.split(/\r?\n/).length;
  if (lines > 1) return `standard input has ${lines} lines: paste the token alone, on one line.`;
  const unprintable = [...candidate].findIndex((char) => char < '!' || char > '~');
  if (unprintable >= 0) return `the token has a space or unprintable character at position ${unprintable + 1}: paste it again, alone.`;
  if (!candidate.startsWith(SETUP_TOKEN_PREFIX)) {
    const other = looksLikeToken(candidate) ? ` (this is ${redactToken(candidate)}, another kind of credential)` : '';
    return `this is not a setup-token: it does not start with ${SETUP_TOKEN_PREFIX}${other}. Mint one with 'claude setup-token'.`;
  }
  if (candidate.length === SETUP_TOKEN_LENGTH - 1) {
    return (
      `the token has ${candidate.length} characters, one short of ${SETUP_TOKEN_LENGTH}: copying from an 80-column terminal is ` +
      'known to drop the character where the line wrapped. Copy it again from a wider window.'
    );
  }
  if (candidate.length !== SETUP_TOKEN_LENGTH) return `the token has ${candidate.length} characters; a setup-token has ${SETUP_TOKEN_LENGTH}. Copy it again, whole.`;
  return undefined;
}
