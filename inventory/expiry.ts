/**
 * The one expiry formula and its thresholds. Pure functions, no imports: constructs, the CLI,
 * the check, the alert rules and the monitor bundle all read these instead of redoing the sums.
 */

export const SECONDS_PER_DAY = 86_400;

/** `claude setup-token` tokens live exactly 365 days: a duration, not a calendar year. */
export const TOKEN_TTL_DAYS = 365;
export const TOKEN_TTL_SECONDS = TOKEN_TTL_DAYS * SECONDS_PER_DAY;

/** Nothing was minted before Claude Code's long-lived tokens existed. */
export const EARLIEST_MINT_EPOCH = 1_735_689_600; // 2025-01-01T00:00:00Z
/** Seconds values stay below this until the year 5138; millisecond values from 2001 on are above it. */
export const MILLISECONDS_FLOOR = 100_000_000_000;

/** Clock skew tolerated between the machine that minted a token and the one that checks it. */
export const MINT_CLOCK_SKEW_SECONDS = 600;

/** The latest expiry that can be real at `now` (unix seconds): a token minted just now, plus skew. */
export function latestPossibleExpiry(now: number): number {
  return expiryOf(now + MINT_CLOCK_SKEW_SECONDS);
}

/** Fewer days left than this: the token needs rotating soon (warning). */
export const WARNING_DAYS = 30;
/** Fewer days left than this: rotate now (critical). */
export const CRITICAL_DAYS = 7;

/**
 * When a token turns `warning` and `critical`: one policy that the alert rules, `tokens status`, the
 * synth table and `check`'s gate all read, so an override cannot make them disagree.
 */
export interface ExpiryThresholds {
  /** Fewer whole days left than this: warning. */
  readonly warningDays: number;
  /** Fewer whole days left than this: critical. */
  readonly criticalDays: number;
}

export const DEFAULT_EXPIRY_THRESHOLDS: ExpiryThresholds = { warningDays: WARNING_DAYS, criticalDays: CRITICAL_DAYS };

/** Why `thresholds` cannot be used, or undefined. */
export function expiryThresholdsProblem(thresholds: ExpiryThresholds): string | undefined {
  const { warningDays, criticalDays } = thresholds;
  if (![warningDays, criticalDays].every((days) => Number.isInteger(days) && days > 0 && days < TOKEN_TTL_DAYS)) {
    return `warningDays and criticalDays must be whole numbers of days from 1 to ${TOKEN_TTL_DAYS - 1} (got ${warningDays} and ${criticalDays}).`;
  }
  return criticalDays < warningDays ? undefined : `criticalDays (${criticalDays}) must be fewer than warningDays (${warningDays}).`;
}

export type TokenStatus = 'healthy' | 'warning' | 'critical' | 'expired';

/** Unix seconds at which a token minted at `mintedAt` (unix seconds) stops working. */
export function expiryOf(mintedAt: number): number {
  return mintedAt + TOKEN_TTL_SECONDS;
}

/** Whole days from `from` to `to` (unix seconds), rounded down. */
export function wholeDaysBetween(from: number, to: number): number {
  return Math.floor((to - from) / SECONDS_PER_DAY);
}

/** Whole days left before `expiresAt`, rounded down; negative once expired. */
export function daysLeft(expiresAt: number, now: number): number {
  return wholeDaysBetween(now, expiresAt);
}

/**
 * Status by seconds left, so that the edges agree with the alert rules
 * (`expiry - time() < 30 * 86400` and so on), not with rounded days.
 */
export function statusOf(expiresAt: number, now: number, thresholds: ExpiryThresholds = DEFAULT_EXPIRY_THRESHOLDS): TokenStatus {
  const secondsLeft = expiresAt - now;
  if (secondsLeft <= 0) return 'expired';
  if (secondsLeft < thresholds.criticalDays * SECONDS_PER_DAY) return 'critical';
  if (secondsLeft < thresholds.warningDays * SECONDS_PER_DAY) return 'warning';
  return 'healthy';
}

/** `2027-04-18T16:07:09Z`: unix seconds as an ISO 8601 UTC timestamp without milliseconds. */
export function isoUtc(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace('.000Z', 'Z');
}
