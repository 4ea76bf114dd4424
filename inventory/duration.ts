/**
 * A length of time, so that props say `Duration.hours(1)` instead of a bare number whose unit a
 * reader has to guess. Renders to the duration strings Kubernetes (Go) and Prometheus accept.
 */
export class Duration {
  static seconds(amount: number): Duration {
    return new Duration(amount);
  }
  static minutes(amount: number): Duration {
    return new Duration(amount * 60);
  }
  static hours(amount: number): Duration {
    return new Duration(amount * 3_600);
  }
  static days(amount: number): Duration {
    return new Duration(amount * 86_400);
  }

  private constructor(private readonly totalSeconds: number) {
    if (!Number.isInteger(totalSeconds) || totalSeconds < 0) {
      throw new Error(`A Duration must be a whole, non-negative number of seconds; got ${totalSeconds} s.`);
    }
  }

  toSeconds(): number {
    return this.totalSeconds;
  }

  /**
   * The largest unit that divides the duration evenly: `1h`, `90m`, `30s`, `0s`. Both Go's
   * `time.ParseDuration` and Prometheus read this form (Go has no `d`, so days render as hours).
   */
  toDurationString(): string {
    for (const [suffix, seconds] of [
      ['h', 3_600],
      ['m', 60],
    ] as const) {
      if (this.totalSeconds > 0 && this.totalSeconds % seconds === 0) return `${this.totalSeconds / seconds}${suffix}`;
    }
    return `${this.totalSeconds}s`;
  }
}

