import { describeRequestError, HttpAnswer, httpRequest } from './http-request';

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
  let lastFailure = '';
  for (let attempt = 1; attempt <= request.attempts; attempt++) {
    if (attempt > 1) await sleep(request.backoffMs * 2 ** (attempt - 2));
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
      continue;
    }
    const answer = response.text.trim().slice(0, 300);
    if (response.status >= 200 && response.status < 300) return { attempts: attempt, status: response.status };
    lastFailure = `HTTP ${response.status}${answer ? `: ${answer}` : ''}`;
    if (response.status < 500) {
      throw new PushError(`Pushgateway ${where} refused the push (${lastFailure}); not retried, as the same body would be refused again.`, attempt);
    }
  }
  throw new PushError(
    `Pushgateway ${where} failed ${request.attempts} time${request.attempts === 1 ? '' : 's'} (last: ${lastFailure}); ` +
      `check that it runs and that ${redactUrl(request.baseUrl)} is right. The last good push stays on the gateway.`,
    request.attempts,
  );
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
