import { EARLIEST_MINT_EPOCH, EpochSeconds, epochSeconds, expiryOf, fromEpochMilliseconds, isoUtc, latestPossibleExpiry, MILLISECONDS_FLOOR } from '../inventory/expiry';
import { ScriptInputError, readMountedTokenFiles } from './mounted-files';

export { ScriptInputError } from './mounted-files';

/** One token's expiry, as read from the mounted ConfigMap. */
export interface ExpiryEntry {
  readonly path: string;
  readonly expiresAt: EpochSeconds;
}

/** No token minted on or after 2025-01-01 can expire before this. */
const EARLIEST_EXPIRY = expiryOf(EARLIEST_MINT_EPOCH);
const DECIMAL_INTEGER = /^\d+$/;

/**
 * Reads the expiry ConfigMap mounted as a volume: one file per token path, holding expiry unix
 * seconds. `now` (unix seconds) bounds what can be real: no token expires later than one minted now.
 */
export function readExpiryDirectory(directory: string, now: EpochSeconds): ExpiryEntry[] {
  const { files, problems } = readMountedTokenFiles(directory, {
    label: 'expiry directory',
    fix: 'mount the claude-oauth-token-expiry ConfigMap there, or point TOKEN_EXPIRY_DIR at it.',
  });
  const entries: ExpiryEntry[] = [];
  for (const { path: tokenPath, text } of files) {
    const problem = expiryProblem(text.trim(), now);
    if (problem) problems.push(`entry '${tokenPath}': ${problem}`);
    else entries.push({ path: tokenPath, expiresAt: epochSeconds(Number(text.trim())) });
  }
  if (problems.length === 0 && entries.length === 0) {
    problems.push(`the expiry directory ${directory} holds no tokens: an empty push would hide every token; check the ConfigMap.`);
  }
  // Every message starts with `entry '<path>'`: sorted, they read in path order.
  if (problems.length > 0) throw new ScriptInputError(problems.sort());
  return entries;
}

function expiryProblem(text: string, now: EpochSeconds): string | undefined {
  if (!DECIMAL_INTEGER.test(text)) {
    // No excerpt: pointed at the wrong mount, this would be a token.
    return `value is not a whole number of unix seconds (${text.length} characters); regenerate the ConfigMap with cdktf deploy.`;
  }
  const value = epochSeconds(Number(text));
  if (value >= MILLISECONDS_FLOOR) {
    return `value ${text} looks like milliseconds; the map must hold expiry in unix seconds (${fromEpochMilliseconds(value)}).`;
  }
  if (value < EARLIEST_EXPIRY) {
    return `value ${text} (${isoUtc(value)}) is before any possible expiry (${isoUtc(EARLIEST_EXPIRY)}); is it a mint time instead of an expiry?`;
  }
  if (value > latestPossibleExpiry(now)) {
    return (
      `value ${text} (${isoUtc(value)}) is later than any token minted by now could live (${isoUtc(latestPossibleExpiry(now))}); ` +
      'it would silence every expiry alert. Regenerate the ConfigMap with cdktf deploy.'
    );
  }
  return undefined;
}
