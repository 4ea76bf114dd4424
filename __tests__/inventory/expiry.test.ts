import { CRITICAL_DAYS, daysLeft, EpochMilliseconds, epochSeconds, expiryOf, fromEpochMilliseconds, isoUtc, SECONDS_PER_DAY, statusOf, toEpochMilliseconds, WARNING_DAYS } from '../../inventory/expiry';

describe('expiry formula', () => {
  test('seconds and milliseconds are different types: a mix-up does not compile, a conversion is explicit', () => {
    // `npm test` type-checks before it runs Jest: each line below must stay a type error.
    const mixUps = [
      // @ts-expect-error JavaScript's clock counts milliseconds; expiryOf takes EpochSeconds.
      () => expiryOf(Date.now()),
      // @ts-expect-error .credentials.json's expiresAt is milliseconds, not EpochSeconds.
      () => isoUtc(1776528429000 as EpochMilliseconds),
    ];
    expect(mixUps).toHaveLength(2);
    const credentialsExpiresAt = 1_776_528_429_999 as EpochMilliseconds;
    expect(fromEpochMilliseconds(credentialsExpiresAt)).toBe(1_776_528_429);
    expect(toEpochMilliseconds(epochSeconds(1_776_528_429))).toBe(1_776_528_429_000);
    expect(isoUtc(fromEpochMilliseconds(credentialsExpiresAt))).toBe('2026-04-18T16:07:09Z');
  });

  test('a token expires exactly 365 days of seconds after minting, leap year or not', () => {
    // 2027-04-18 -> 2028-04-17: the span crosses 29 Feb 2028, so a calendar year would be a day late.
    const mintedAt = epochSeconds(Date.UTC(2027, 3, 18, 12) / 1000);
    expect(isoUtc(expiryOf(mintedAt))).toBe('2028-04-17T12:00:00Z');
    expect(isoUtc(expiryOf(epochSeconds(1776528429)))).toBe('2027-04-18T16:07:09Z');
  });

  test('days left round down and go negative after expiry', () => {
    const expiresAt = epochSeconds(1_800_000_000);
    const at = (offset: number) => epochSeconds(expiresAt + offset);
    expect(daysLeft(expiresAt, at(-SECONDS_PER_DAY))).toBe(1);
    expect(daysLeft(expiresAt, at(-SECONDS_PER_DAY + 1))).toBe(0);
    expect(daysLeft(expiresAt, expiresAt)).toBe(0);
    expect(daysLeft(expiresAt, at(1))).toBe(-1);
  });

  test.each([
    [WARNING_DAYS * SECONDS_PER_DAY, 'healthy'],
    [WARNING_DAYS * SECONDS_PER_DAY - 1, 'warning'],
    [CRITICAL_DAYS * SECONDS_PER_DAY, 'warning'],
    [CRITICAL_DAYS * SECONDS_PER_DAY - 1, 'critical'],
    [1, 'critical'],
    [0, 'expired'],
    [-1, 'expired'],
  ])('with %i seconds left the status is %s', (secondsLeft, status) => {
    const now = epochSeconds(1_800_000_000);
    expect(statusOf(epochSeconds(now + secondsLeft), now)).toBe(status);
  });
});
