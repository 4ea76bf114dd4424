import { classifyAnswer, probeEndpointProblem, probeToken } from '../../lambda-src/token-probe';
import { Behaviour, makeToken, startFakeApi } from '../helpers/fake-anthropic-api';
import { freePort } from '../../devkit/real-binaries';

const CASES: Array<[Behaviour, object]> = [
  ['valid-login', { result: 'valid' }],
  ['valid-setup-token', { result: 'valid' }],
  ['revoked', { result: 'rejected', reason: 'revoked' }],
  ['revoked-by-code', { result: 'rejected', reason: 'revoked' }],
  ['expired', { result: 'rejected', reason: 'expired' }],
  ['invalid', { result: 'rejected', reason: 'invalid' }],
  ['rate-limited', { result: 'unknown', reason: 'http_429' }],
  ['server-error', { result: 'unknown', reason: 'http_500' }],
  ['slow', { result: 'unknown', reason: 'timeout' }],
];

describe('probeToken against a loopback stand-in of the endpoint', () => {
  const tokens = new Map(CASES.map(([behaviour]) => [behaviour, makeToken()]));
  let api: Awaited<ReturnType<typeof startFakeApi>>;
  beforeAll(async () => {
    api = await startFakeApi(new Map([...tokens].map(([behaviour, token]) => [token, behaviour])));
  });
  afterAll(() => api.close());

  test.each(CASES)('%s -> %o', async (behaviour, expected) => {
    const before = api.requests.length;
    const outcome = await probeToken(tokens.get(behaviour)!, { endpoint: api.url, betaHeader: 'oauth-2025-04-20', timeoutMs: 500 });
    expect(outcome).toEqual(expected);
    expect(api.requests).toHaveLength(before + 1); // one request per token
    const headers = api.requests[before];
    expect(headers.authorization).toBe(`Bearer ${tokens.get(behaviour)}`);
    expect(headers['anthropic-beta']).toBe('oauth-2025-04-20');
  });

  test('refuses a plain-http endpoint off loopback itself, before any request: the token would travel in clear', async () => {
    const token = makeToken();
    const before = api.requests.length;
    // The stand-in's own port, reached by a name that is not loopback: only the guard stands between the token and the wire.
    const endpoint = `http://localhost.example.test:${new URL(api.url).port}/api/oauth/profile`;
    await expect(probeToken(token, { endpoint, betaHeader: 'b', timeoutMs: 500 })).rejects.toThrow(
      /^probe endpoint http:\/\/localhost\.example\.test:\d+ is not https \(plain http is allowed on loopback only\)/,
    );
    expect(api.requests).toHaveLength(before);
  });

  test('a refused connection is unknown, not rejected', async () => {
    const port = await freePort();
    expect(await probeToken(makeToken(), { endpoint: `http://127.0.0.1:${port}/x`, betaHeader: 'b', timeoutMs: 500 })).toEqual({
      result: 'unknown',
      reason: 'ECONNREFUSED',
    });
  });
});

describe('classifyAnswer', () => {
  test('prefers a structured error code over the message text', () => {
    const body = JSON.stringify({ error: { type: 'permission_error', message: 'does not meet scope requirement', details: { error_code: 'token_revoked' } } });
    expect(classifyAnswer(403, body)).toEqual({ result: 'rejected', reason: 'revoked' });
  });

  test('an answer it does not recognise is unknown, never valid', () => {
    expect(classifyAnswer(403, JSON.stringify({ error: { type: 'permission_error', message: 'something new' } }))).toEqual({ result: 'unknown', reason: 'unrecognised_403' });
    expect(classifyAnswer(404, 'not json')).toEqual({ result: 'unknown', reason: 'unrecognised_404' });
    expect(classifyAnswer(302, '')).toEqual({ result: 'unknown', reason: 'unrecognised_302' });
  });
});

describe('probeEndpointProblem', () => {
  test('https anywhere, plain http on loopback only', () => {
    expect(probeEndpointProblem('https://api.anthropic.com/api/oauth/profile')).toBeUndefined();
    expect(probeEndpointProblem('http://127.0.0.1:8080/x')).toBeUndefined();
    expect(probeEndpointProblem('http://localhost:8080/x')).toBeUndefined();
    expect(probeEndpointProblem('http://api.anthropic.com/api/oauth/profile')).toMatch(/is not https \(plain http is allowed on loopback only\)/);
    expect(probeEndpointProblem('not a url')).toMatch(/is not a URL/);
  });
});
