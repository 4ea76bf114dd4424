/**
 * The one expiry formula and its thresholds. Pure functions, no imports: constructs, the CLI,
 * the check, the alert rules and the monitor bundle all read these instead of redoing the sums.
 */

export const SECONDS_PER_DAY = 86_400;

/**
 * Unix time in whole seconds: the map's mint epochs, the ConfigMap, the pushed metrics and
 * Prometheus' `time()`. A plain number (a `Date.now()`, a `.credentials.json` `expiresAt`) becomes one
 * only through {@link epochSeconds} or {@link fromEpochMilliseconds}, so the project's main failure,
 * milliseconds where seconds belong, is a type error.
 */
export type EpochSeconds = number & { readonly __unit: 'unix seconds' };
/** Unix time in milliseconds, as JavaScript's clock and `.credentials.json` count it. */
export type EpochMilliseconds = number & { readonly __unit: 'unix milliseconds' };

/** A number known to be unix seconds (already validated, or computed from seconds). */
export function epochSeconds(value: number): EpochSeconds {
  return value as EpochSeconds;
}

/** Milliseconds to whole unix seconds, rounded down. */
export function fromEpochMilliseconds(value: EpochMilliseconds | number): EpochSeconds {
  return Math.floor(value / 1000) as EpochSeconds;
}

/** Seconds to milliseconds (for `Date`). */
export function toEpochMilliseconds(value: EpochSeconds): EpochMilliseconds {
  return (value * 1000) as EpochMilliseconds;
}

/** The current unix time in whole seconds. */
export function nowInSeconds(): EpochSeconds {
  return fromEpochMilliseconds(Date.now());
}

/** `claude setup-token` tokens live exactly 365 days: a duration, not a calendar year. */
export const TOKEN_TTL_DAYS = 365;
export const TOKEN_TTL_SECONDS = TOKEN_TTL_DAYS * SECONDS_PER_DAY;

/** Nothing was minted before Claude Code's long-lived tokens existed. */
export const EARLIEST_MINT_EPOCH = epochSeconds(1_735_689_600); // 2025-01-01T00:00:00Z
/** Seconds values stay below this until the year 5138; millisecond values from 2001 on are above it. */
export const MILLISECONDS_FLOOR = 100_000_000_000;

/** Clock skew tolerated between the machine that minted a token and the one that checks it. */
export const MINT_CLOCK_SKEW_SECONDS = 600;

/** The latest expiry that can be real at `now` (unix seconds): a token minted just now, plus skew. */
export function latestPossibleExpiry(now: EpochSeconds): EpochSeconds {
  return expiryOf(epochSeconds(now + MINT_CLOCK_SKEW_SECONDS));
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
export function expiryOf(mintedAt: EpochSeconds): EpochSeconds {
  return epochSeconds(mintedAt + TOKEN_TTL_SECONDS);
}

/** Whole days from `from` to `to` (unix seconds), rounded down. */
export function wholeDaysBetween(from: EpochSeconds, to: EpochSeconds): number {
  return Math.floor((to - from) / SECONDS_PER_DAY);
}

/**
 * Whole days left before `expiresAt`, rounded down, so negative from the first second after expiry:
 * the one count of days the table, the JSON and the warnings ("N days ago" is minus this) all show.
 */
export function daysLeft(expiresAt: EpochSeconds, now: EpochSeconds): number {
  return wholeDaysBetween(now, expiresAt);
}

/**
 * Status by seconds left, so that the edges agree with the alert rules
 * (`expiry - time() < 30 * 86400` and so on), not with rounded days.
 */
export function statusOf(expiresAt: EpochSeconds, now: EpochSeconds, thresholds: ExpiryThresholds = DEFAULT_EXPIRY_THRESHOLDS): TokenStatus {
  const secondsLeft = expiresAt - now;
  if (secondsLeft <= 0) return 'expired';
  if (secondsLeft < thresholds.criticalDays * SECONDS_PER_DAY) return 'critical';
  if (secondsLeft < thresholds.warningDays * SECONDS_PER_DAY) return 'warning';
  return 'healthy';
}

/** `2027-04-18T16:07:09Z`: unix seconds as an ISO 8601 UTC timestamp without milliseconds. */
export function isoUtc(seconds: EpochSeconds): string {
  return new Date(toEpochMilliseconds(seconds)).toISOString().replace('.000Z', 'Z');
}
