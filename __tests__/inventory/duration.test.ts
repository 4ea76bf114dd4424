import { Duration } from '../../inventory/duration';

describe('Duration', () => {
  test.each([
    [Duration.hours(1), '1h', 3600],
    [Duration.days(2), '48h', 172800],
    [Duration.minutes(90), '90m', 5400],
    [Duration.seconds(90), '90s', 90],
    [Duration.seconds(0), '0s', 0],
  ])('%o renders as %s', (duration, text, seconds) => {
    expect(duration.toDurationString()).toBe(text);
    expect(duration.toSeconds()).toBe(seconds);
  });

  test('refuses fractions of a second and negative lengths', () => {
    expect(() => Duration.seconds(1.5)).toThrow('A Duration must be a whole, non-negative number of seconds; got 1.5 s.');
    expect(() => Duration.minutes(-1)).toThrow(/got -60 s/);
  });
});
