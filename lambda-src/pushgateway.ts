import { describeRequestError, HttpAnswer, httpRequest, RequestTimeoutError } from './http-request';

/** Where and how to push one group, and how hard to try. */
export interface PushRequest {
  /** Pushgateway base URL, e.g. `http://pushgateway.monitoring:9091`. */
  readonly baseUrl: string;
  /** The group's `job` label. */
  readonly job: string;
  /** The whole group, in the text exposition format. */
  readonly body: string;
  /** Timeout of one request, in milliseconds. */
  readonly timeoutMs: number;
  /** Tries in all, the first included. */
  readonly attempts: number;
  /** Wait before the first retry, in milliseconds; doubles for each further retry. */
  readonly backoffMs: number;
}

/** One run's worst case: every try times out, with the doubling waits between them. */
export function pushWorstCaseMs(request: Pick<PushRequest, 'attempts' | 'timeoutMs' | 'backoffMs'>): number {
  return request.attempts * request.timeoutMs + request.backoffMs * (2 ** (request.attempts - 1) - 1);
}

/**
 * Why `url` cannot be a Pushgateway base URL, or undefined: it must be http(s), with no whitespace
 * (a pasted trailing space), query or fragment (the group path is appended to it).
 */
export function pushgatewayUrlProblem(url: string): string | undefined {
  if (/\s/.test(url)) return 'has whitespace in it (a trailing space or newline?): remove it.';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a URL: write the base URL, e.g. http://pushgateway.monitoring:9091.';
  }
  if (!/^https?:$/.test(parsed.protocol)) return 'is not an http(s) URL, e.g. http://pushgateway.monitoring:9091.';
  if (parsed.search || parsed.hash || url.includes('?') || url.includes('#')) {
    return 'has a query or fragment: give the base URL only, e.g. http://pushgateway.monitoring:9091 (the group path is appended to it).';
  }
  return undefined;
}

/** Statuses that mean "not now" rather than "never": tried again like a connection error. */
const RETRIED_STATUSES = new Set([408, 429]);

export interface PushResult {
  /** Tries it took. */
  readonly attempts: number;
  readonly status: number;
}

/** The push failed for good: a 4xx answer, or every try ended in a connection error, timeout or 5xx. */
export class PushError extends Error {
  constructor(
    message: string,
    readonly attempts: number,
  ) {
    super(message);
    this.name = 'PushError';
  }
}

/**
 * PUTs the group, replacing whatever the gateway held for it: a token removed from the map
 * disappears instead of lingering with its old expiry.
 */
export async function pushGroup(request: PushRequest): Promise<PushResult> {
  const url = `${request.baseUrl.replace(/\/+$/, '')}/metrics/job/${encodeURIComponent(request.job)}`;
  const where = redactUrl(url);
  const startedMs = Date.now();
  const budgetMs = pushWorstCaseMs(request);
  let lastFailure = '';
  let retryAfterMs: number | undefined;
  // A timeout after the request went out: the gateway may have stored it and answered too late.
  let maybeStored = false;
  const outcome = () =>
    maybeStored
      ? ' An attempt timed out after its request was sent, so the gateway may already hold this push: the outcome is unknown (check push_time_seconds).'
      : ' The last good push stays on the gateway.';
  for (let attempt = 1; attempt <= request.attempts; attempt++) {
    if (attempt > 1) {
      const backoffMs = request.backoffMs * 2 ** (attempt - 2);
      const waitMs = Math.max(backoffMs, retryAfterMs ?? 0);
      // A longer Retry-After is honoured only while the run stays within its worst case (what the CronJob's deadline allows for).
      if (waitMs > backoffMs && Date.now() - startedMs + waitMs + request.timeoutMs > budgetMs) {
        throw new PushError(
          `Pushgateway ${where} asked to retry after ${Math.ceil(waitMs / 1000)}s (last: ${lastFailure}), beyond this run's deadline; ` +
            `the next scheduled run will push.${outcome()}`,
          attempt - 1,
        );
      }
      await sleep(waitMs);
    }
    retryAfterMs = undefined;
    let response: HttpAnswer;
    try {
      response = await httpRequest(new URL(url), {
        method: 'PUT',
        headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' },
        body: request.body,
        timeoutMs: request.timeoutMs,
      });
    } catch (error) {
      lastFailure = describeRequestError(error);
      if (error instanceof RequestTimeoutError) maybeStored = true;
      continue;
    }
    const answer = response.text.trim().slice(0, 300);
    if (response.status >= 200 && response.status < 300) return { attempts: attempt, status: response.status };
    lastFailure = `HTTP ${response.status}${answer ? `: ${answer}` : ''}`;
    if (RETRIED_STATUSES.has(response.status)) {
      retryAfterMs = retryAfterOf(response.headers['retry-after']);
      continue;
    }
    if (response.status < 500) {
      throw new PushError(`Pushgateway ${where} refused the push (${lastFailure}); not retried, as the same body would be refused again.`, attempt);
    }
  }
  throw new PushError(
    `Pushgateway ${where} failed ${request.attempts} time${request.attempts === 1 ? '' : 's'} (last: ${lastFailure}); ` +
      `check that it runs and that ${redactUrl(request.baseUrl)} is right.${outcome()}`,
    request.attempts,
  );
}

/** `Retry-After` as milliseconds: delay-seconds or an HTTP date; undefined when absent or unreadable. */
function retryAfterOf(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** A URL without its user-info, fit for logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username || parsed.password) {
      parsed.username = 'REDACTED';
      parsed.password = '';
    }
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(unparseable URL)';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
