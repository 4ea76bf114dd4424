import { CRITICAL_DAYS, daysLeft, expiryOf, isoUtc, SECONDS_PER_DAY, statusOf, WARNING_DAYS } from '../../inventory/expiry';

describe('expiry formula', () => {
  test('a token expires exactly 365 days of seconds after minting, leap year or not', () => {
    // 2027-04-18 -> 2028-04-17: the span crosses 29 Feb 2028, so a calendar year would be a day late.
    const mintedAt = Date.UTC(2027, 3, 18, 12) / 1000;
    expect(isoUtc(expiryOf(mintedAt))).toBe('2028-04-17T12:00:00Z');
    expect(isoUtc(expiryOf(1776528429))).toBe('2027-04-18T16:07:09Z');
  });

  test('days left round down and go negative after expiry', () => {
    const expiresAt = 1_800_000_000;
    expect(daysLeft(expiresAt, expiresAt - SECONDS_PER_DAY)).toBe(1);
    expect(daysLeft(expiresAt, expiresAt - SECONDS_PER_DAY + 1)).toBe(0);
    expect(daysLeft(expiresAt, expiresAt)).toBe(0);
    expect(daysLeft(expiresAt, expiresAt + 1)).toBe(-1);
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
    const now = 1_800_000_000;
    expect(statusOf(now + secondsLeft, now)).toBe(status);
  });
});
