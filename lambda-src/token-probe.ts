import { describeRequestError, httpRequest, plainHttpOffLoopback, RequestTimeoutError } from './http-request';
import { proxyFor } from './proxy-tunnel';

/*
 * Whether a token still works, asked of an endpoint that spends no usage (contract.ts names it). Its
 * answers, as observed publicly: a setup-token (scope `user:inference` only) gets 403
 * `permission_error` "does not meet scope requirement user:profile" (it authenticated: valid), a
 * login token 200, a revoked token 403 `permission_error` "OAuth token has been revoked", an expired
 * or unknown token 401.
 */

export const PROBE_RESULTS = ['valid', 'rejected', 'unknown'] as const;
export type ProbeResult = (typeof PROBE_RESULTS)[number];
export type RejectionReason = 'expired' | 'revoked' | 'invalid';

export type ProbeOutcome =
  | { readonly result: 'valid'; readonly reason?: undefined }
  | { readonly result: 'rejected'; readonly reason: RejectionReason }
  /** `reason` is short and safe to log: `http_429`, `http_503`, `timeout`, `ECONNREFUSED`, `unrecognised_403`. */
  | { readonly result: 'unknown'; readonly reason: string };

/** The parts of an answer the table looks at; never the token, never the raw body. */
interface Answer {
  readonly status: number;
  /** `error.type`, e.g. `permission_error`. */
  readonly errorType?: string;
  /** `error.details.error_code`, where the API gives one. */
  readonly errorCode?: string;
  /** `error.message`, lowercased; only a fallback when no code says it. */
  readonly message: string;
}

/**
 * The whole classification, first match wins. Structured fields (status, error code, error type)
 * come before message text.
 */
const CLASSIFICATION: ReadonlyArray<{ readonly when: (answer: Answer) => boolean; readonly then: (answer: Answer) => ProbeOutcome }> = [
  { when: (a) => a.status >= 200 && a.status < 300, then: () => ({ result: 'valid' }) },
  { when: (a) => a.errorCode === 'token_revoked', then: () => ({ result: 'rejected', reason: 'revoked' }) },
  { when: (a) => a.errorCode === 'token_expired', then: () => ({ result: 'rejected', reason: 'expired' }) },
  { when: (a) => a.status === 403 && a.errorType === 'permission_error' && a.message.includes('revoked'), then: () => ({ result: 'rejected', reason: 'revoked' }) },
  // Authenticated, merely not allowed to read the profile: the setup-token works for inference.
  { when: (a) => a.status === 403 && a.errorType === 'permission_error' && a.message.includes('scope'), then: () => ({ result: 'valid' }) },
  { when: (a) => a.status === 401 && a.message.includes('expired'), then: () => ({ result: 'rejected', reason: 'expired' }) },
  { when: (a) => a.status === 401, then: () => ({ result: 'rejected', reason: 'invalid' }) },
  { when: (a) => a.status === 429 || a.status >= 500, then: (a) => ({ result: 'unknown', reason: `http_${a.status}` }) },
  { when: () => true, then: (a) => ({ result: 'unknown', reason: `unrecognised_${a.status}` }) },
];

function parseAnswer(status: number, body: string): Answer {
  let error: { type?: unknown; message?: unknown; details?: { error_code?: unknown } } = {};
  try {
    error = (JSON.parse(body) as { error?: typeof error } | null)?.error ?? {};
  } catch {
    // not JSON: status alone decides
  }
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return {
    status,
    errorType: text(error.type),
    errorCode: text(error.details?.error_code),
    message: (text(error.message) ?? '').toLowerCase(),
  };
}

/** Classifies one answer of the endpoint. */
export function classifyAnswer(status: number, body: string): ProbeOutcome {
  const answer = parseAnswer(status, body);
  return CLASSIFICATION.find((row) => row.when(answer))!.then(answer);
}

/** The endpoint must be https, or plain http on loopback (tests); anything else would send tokens in clear. */
export function probeEndpointProblem(endpoint: string): string | undefined {
  let url: URL;
  // Never repeat a user or password written into the URL, even a malformed one.
  const shown = JSON.stringify(endpoint.replace(/\/\/[^/@\s]*@/g, '//…@'));
  try {
    url = new URL(endpoint);
  } catch {
    return `probe endpoint ${shown} is not a URL.`;
  }
  if (url.username || url.password) return `probe endpoint ${shown} holds a user or password: the probe sends none; remove them.`;
  if (url.protocol === 'https:' || (url.protocol === 'http:' && !plainHttpOffLoopback(endpoint))) return undefined;
  return `probe endpoint ${url.origin} is not https (plain http is allowed on loopback only): tokens must not travel in clear.`;
}

/** Asks the endpoint with one token. Never throws with, logs, or returns anything of the token. */
export async function probeToken(
  token: string,
  options: { endpoint: string; betaHeader: string; timeoutMs: number; env?: Readonly<Record<string, string | undefined>> },
): Promise<ProbeOutcome> {
  const problem = probeEndpointProblem(options.endpoint);
  if (problem) throw new Error(problem);
  if (token.trim() === '') return { result: 'rejected', reason: 'invalid' };
  try {
    const url = new URL(options.endpoint);
    const answer = await httpRequest(url, {
      proxy: proxyFor(url, options.env ?? process.env),
      method: 'GET',
      headers: { authorization: `Bearer ${token.trim()}`, 'anthropic-beta': options.betaHeader, accept: 'application/json' },
      timeoutMs: options.timeoutMs,
    });
    return classifyAnswer(answer.status, answer.text);
  } catch (error) {
    return { result: 'unknown', reason: error instanceof RequestTimeoutError ? 'timeout' : describeRequestError(error) };
  }
}
