import { createServer, Server } from 'http';
import { Metrics, MONITOR_JOB } from '../../lambda-src/contract';
import { ConfigMapMount } from '../../devkit/configmap-mount';
import { byLabel, parseExposition, Sample } from '../helpers/exposition';
import { freePort, RunningBinary, startPushgateway, stopAllBinaries } from '../../devkit/real-binaries';
import { runShippedMonitor } from '../helpers/shipped-monitor';

const EXPIRIES = { primary: '1808064429', 'spare-1': '1808064280', 'spare-2': '1808064429' };

async function monitorSamples(gateway: RunningBinary): Promise<Sample[]> {
  const samples = parseExposition(await (await fetch(`${gateway.url}/metrics`)).text());
  return samples.filter((sample) => sample.labels.job === MONITOR_JOB);
}

/** A stand-in gateway that answers every request with `status` (or never), counting requests. */
async function fakeGateway(status: number | 'never'): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let requests = 0;
  const server: Server = createServer((request, response) => {
    requests++;
    request.resume();
    if (status === 'never') return;
    response.writeHead(status, { 'content-type': 'text/plain' }).end(`answer ${status}`);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections(); // the 'never' gateway still holds requests open
        server.close(() => resolve());
      }),
  };
}

describe('the shipped monitor against a real Pushgateway', () => {
  let gateway: RunningBinary;
  let mount: ConfigMapMount;

  beforeAll(async () => {
    gateway = await startPushgateway();
  });
  afterAll(stopAllBinaries);
  beforeEach(() => {
    mount = new ConfigMapMount(EXPIRIES);
  });
  afterEach(async () => {
    mount.remove();
    await fetch(`${gateway.url}/metrics/job/${MONITOR_JOB}`, { method: 'DELETE' });
  });

  const env = () => ({ TOKEN_EXPIRY_DIR: mount.dir, PUSHGATEWAY_URL: gateway.url });

  test('pushes every token expiry with its path label, and the push time, in the monitor group', async () => {
    const before = Math.floor(Date.now() / 1000);
    const run = await runShippedMonitor(env());
    expect(run.stderr).not.toMatch(/"level":"error"/);
    expect(run.code).toBe(0);

    const samples = await monitorSamples(gateway);
    expect(byLabel(samples, Metrics.expiryTimestamp.name, 'path')).toEqual({ primary: 1808064429, 'spare-1': 1808064280, 'spare-2': 1808064429 });
    const [lastPush] = samples.filter((sample) => sample.name === Metrics.lastPushTimestamp.name);
    expect(lastPush.value).toBeGreaterThanOrEqual(before);
    expect(lastPush.value).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));

    expect(run.log).toMatchObject({ level: 'info', event: 'pushed', job: MONITOR_JOB, attempts: 1, pushgateway: gateway.url });
    expect(run.log.tokens).toEqual([
      { path: 'primary', expires: '2027-04-18T16:07:09Z', days_left: expect.any(Number) },
      { path: 'spare-1', expires: '2027-04-18T16:04:40Z', days_left: expect.any(Number) },
      { path: 'spare-2', expires: '2027-04-18T16:07:09Z', days_left: expect.any(Number) },
    ]);
    expect(run.log.duration_ms).toEqual(expect.any(Number));
  });

  test('PUT replaces the whole group: a token removed from the map disappears from the gateway', async () => {
    expect((await runShippedMonitor(env())).code).toBe(0);
    mount.update({ primary: '1820000000', 'spare-1': '1808064280' });
    expect((await runShippedMonitor(env())).code).toBe(0);
    expect(byLabel(await monitorSamples(gateway), Metrics.expiryTimestamp.name, 'path')).toEqual({ primary: 1820000000, 'spare-1': 1808064280 });
  });

  test('a malformed entry fails the run, names it, and leaves the last good push on the gateway', async () => {
    expect((await runShippedMonitor(env())).code).toBe(0);
    const lastGood = await monitorSamples(gateway);

    mount.update({ ...EXPIRIES, 'spare-1': '1808064280000' });
    const run = await runShippedMonitor(env());
    expect(run.code).toBe(1);
    expect(run.log).toMatchObject({ level: 'error', event: 'invalid_input', pushed: false });
    expect(run.log.error).toContain("entry 'spare-1': value 1808064280000 looks like milliseconds");
    expect(await monitorSamples(gateway)).toEqual(lastGood);
  });

  test('--dry-run prints the exposition and pushes nothing', async () => {
    const run = await runShippedMonitor(env(), ['--dry-run']);
    expect(run.code).toBe(0);
    expect(byLabel(parseExposition(run.stdout), Metrics.expiryTimestamp.name, 'path')).toEqual({ primary: 1808064429, 'spare-1': 1808064280, 'spare-2': 1808064429 });
    expect(await monitorSamples(gateway)).toEqual([]);
  });

  test('an unreachable gateway: bounded retries, then exit 2 with a clear message', async () => {
    const port = await freePort(); // nothing listens there
    const run = await runShippedMonitor({ ...env(), PUSHGATEWAY_URL: `http://127.0.0.1:${port}`, PUSH_ATTEMPTS: '3', PUSH_BACKOFF_MS: '100', PUSH_TIMEOUT_MS: '1000' });
    expect(run.code).toBe(2);
    expect(run.log).toMatchObject({ level: 'error', event: 'push_failed', attempts: 3 });
    expect(run.log.error).toMatch(new RegExp(`^Pushgateway http://127.0.0.1:${port}/metrics/job/${MONITOR_JOB} failed 3 times \\(last: ECONNREFUSED\\)`));
    expect(run.log.error).toContain('The last good push stays on the gateway.');
    expect(run.elapsedMs).toBeLessThan(15_000); // 3 x 1 s timeout + 0.3 s backoff, with room for a slow machine
  });

  test('a gateway answering 500: every attempt made, then exit 2; a 400 is not retried', async () => {
    const failing = await fakeGateway(500);
    try {
      const run = await runShippedMonitor({ ...env(), PUSHGATEWAY_URL: failing.url, PUSH_ATTEMPTS: '3', PUSH_BACKOFF_MS: '50' });
      expect(run.code).toBe(2);
      expect(failing.requests()).toBe(3);
      expect(run.log.error).toContain('(last: HTTP 500: answer 500)');
    } finally {
      await failing.close();
    }
    const refusing = await fakeGateway(400);
    try {
      const run = await runShippedMonitor({ ...env(), PUSHGATEWAY_URL: refusing.url, PUSH_ATTEMPTS: '3', PUSH_BACKOFF_MS: '50' });
      expect(run.code).toBe(2);
      expect(refusing.requests()).toBe(1);
      expect(run.log.error).toMatch(/refused the push \(HTTP 400: answer 400\); not retried/);
    } finally {
      await refusing.close();
    }
  });

  test('a gateway that never answers: each try times out, the run ends within its bound', async () => {
    const silent = await fakeGateway('never');
    try {
      const run = await runShippedMonitor({ ...env(), PUSHGATEWAY_URL: silent.url, PUSH_ATTEMPTS: '2', PUSH_BACKOFF_MS: '50', PUSH_TIMEOUT_MS: '300' });
      expect(run.code).toBe(2);
      expect(silent.requests()).toBe(2);
      expect(run.log.error).toContain('(last: no answer within 300 ms)');
      // The gateway may have stored a push it never answered: no claim that the old data stays.
      expect(run.log.error).toContain('the gateway may already hold this push: the outcome is unknown');
      expect(run.log.error).not.toContain('The last good push stays');
      expect(run.elapsedMs).toBeLessThan(10_000);
    } finally {
      await silent.close();
    }
  });

  test('bad settings are named and nothing is pushed', async () => {
    const run = await runShippedMonitor({ PUSHGATEWAY_URL: 'pushgateway:9091', PUSH_ATTEMPTS: 'many' }, ['--push']);
    expect(run.code).toBe(1);
    expect(run.log.error).toContain('unknown argument --push: the only option is --dry-run.');
    expect(run.log.error).toContain('TOKEN_EXPIRY_DIR is not set');
    expect(run.log.error).toContain('PUSHGATEWAY_URL is not an http(s) URL, e.g. http://pushgateway.monitoring:9091.');
    expect(run.log.error).toContain('PUSH_ATTEMPTS="many" must be a whole number from 1 to 10.');
  });
});
