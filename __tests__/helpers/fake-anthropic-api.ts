import { randomBytes } from 'crypto';
import { createServer, IncomingHttpHeaders, RequestListener } from 'http';
import { createServer as createHttpsServer } from 'https';
import { freePort } from '../../devkit/real-binaries';

/** A fresh token of the real shape, made at test time (never committed): the prefix and 95 more characters, 108 in all. */
export function makeToken(): string {
  return ['sk', 'ant', 'oat01', randomBytes(72).toString('base64url').slice(0, 95)].join('-');
}

/** What the endpoint answers for one token, as observed publicly (see docs/monitoring.md, live check). */
export type Behaviour = 'valid-login' | 'valid-setup-token' | 'revoked' | 'expired' | 'invalid' | 'rate-limited' | 'server-error' | 'slow' | 'revoked-by-code';

const error = (type: string, message: string, details?: Record<string, string>) =>
  JSON.stringify({ type: 'error', error: { type, message, ...(details ? { details } : {}) } });

const ANSWERS: Record<Exclude<Behaviour, 'slow'>, { status: number; body: string }> = {
  'valid-login': { status: 200, body: JSON.stringify({ account: { uuid: 'test' } }) },
  'valid-setup-token': { status: 403, body: error('permission_error', 'OAuth token does not meet scope requirement user:profile') },
  revoked: { status: 403, body: error('permission_error', 'OAuth token has been revoked. Please obtain a new token.') },
  'revoked-by-code': { status: 403, body: error('permission_error', 'Forbidden', { error_code: 'token_revoked' }) },
  expired: { status: 401, body: error('authentication_error', 'OAuth token has expired. Please obtain a new token or refresh your existing token.') },
  invalid: { status: 401, body: error('authentication_error', 'Invalid bearer token') },
  'rate-limited': { status: 429, body: error('rate_limit_error', 'Rate limited') },
  'server-error': { status: 500, body: error('api_error', 'Internal server error') },
};

/**
 * A loopback stand-in for the probe endpoint: answers per token (by its Authorization header) and
 * records every request's headers.
 */
export async function startFakeApi(
  behaviours: Map<string, Behaviour>,
  /** Serve https with this pair (its certificate names the hosts a test may use). */
  tls?: { readonly cert: string; readonly key: string },
): Promise<{ url: string; port: number; requests: IncomingHttpHeaders[]; close: () => Promise<void> }> {
  const requests: IncomingHttpHeaders[] = [];
  const handler: RequestListener = (request, response) => {
    requests.push(request.headers);
    const token = /^Bearer (.*)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
    const behaviour = behaviours.get(token) ?? 'invalid';
    if (behaviour === 'slow') {
      setTimeout(() => response.writeHead(200).end('{}'), 3_000).unref();
      return;
    }
    const { status, body } = ANSWERS[behaviour];
    response.writeHead(status, { 'content-type': 'application/json' }).end(body);
  };
  const server = tls ? createHttpsServer(tls, handler) : createServer(handler);
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}/api/oauth/profile`,
    port,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
