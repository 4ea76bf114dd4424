import { execFileSync } from 'child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { createServer, Server } from 'http';
import * as path from 'path';
import { SECONDS_PER_DAY } from '../../inventory/expiry';
import { runMonitor } from '../../lambda-src/monitor';
import { ConfigMapMount } from '../../devkit/configmap-mount';
import { makeToken } from '../helpers/fake-anthropic-api';
import { freePort } from '../../devkit/real-binaries';
import { epochSeconds } from '../../inventory/expiry';

const NOW = epochSeconds(Date.UTC(2026, 10, 23) / 1000);
const EXPIRIES = { primary: '1808064429', 'spare-1': '1808064280' };

/** A gateway that answers with the listed answers in turn (the last one from then on), recording when each request came. */
async function scriptedGateway(answers: Array<{ status: number; headers?: Record<string, string> }>) {
  const times: number[] = [];
  const server: Server = createServer((request, response) => {
    times.push(Date.now());
    request.resume();
    const answer = answers[Math.min(times.length - 1, answers.length - 1)];
    response.writeHead(answer.status, answer.headers).end(`answer ${answer.status}`);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}`, times, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The monitor in-process, as the CronJob runs it, with a fixed clock. */
async function monitor(env: Record<string, string | undefined>, argv: string[] = []) {
  const lines: string[] = [];
  const code = await runMonitor({ env, argv, stdout: () => undefined, log: (line) => lines.push(line), now: () => NOW });
  return { code, log: JSON.parse(lines[0]) as Record<string, any>, raw: lines.join('\n') };
}

describe('the monitor bounds what it reads and what it says', () => {
  let dir: string;
  let gateway: Awaited<ReturnType<typeof scriptedGateway>>;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'expiry-mount-'));
    writeFileSync(path.join(dir, 'primary'), EXPIRIES.primary);
    gateway = await scriptedGateway([{ status: 200 }]);
  });
  afterEach(async () => {
    rmSync(dir, { recursive: true, force: true });
    await gateway.close();
  });

  test.each([
    ['a 50 MB entry', (file: string) => writeFileSync(file, Buffer.alloc(50 * 1024 * 1024, 0x31)), "entry 'spare-1' has 52428800 bytes, more than any entry (4096)"],
    ['a FIFO (would hang)', (file: string) => execFileSync('mkfifo', [file]), "entry 'spare-1' is not a regular file (a FIFO, socket or device)"],
    ['a link to /dev/zero (would never end)', (file: string) => symlinkSync('/dev/zero', file), "entry 'spare-1' is not a regular file"],
  ])('%s: exit 1 at once with the entry named, a short log line, nothing pushed', async (_name, make, message) => {
    make(path.join(dir, 'spare-1'));
    const started = Date.now();
    const run = await monitor({ TOKEN_EXPIRY_DIR: dir, PUSHGATEWAY_URL: gateway.url });
    expect(run.code).toBe(1);
    expect(run.log.error).toContain(message);
    expect(run.raw.length).toBeLessThan(2_000);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(gateway.times).toHaveLength(0);
  });
});

describe('the monitor refuses the impossible (exit 1, nothing pushed)', () => {
  let mount: ConfigMapMount;
  let gateway: Awaited<ReturnType<typeof scriptedGateway>>;
  beforeEach(async () => {
    mount = new ConfigMapMount(EXPIRIES);
    gateway = await scriptedGateway([{ status: 200 }]);
  });
  afterEach(async () => {
    mount.remove();
    await gateway.close();
  });

  test('an expiry no token minted by now could reach (year 5138 would silence every alert)', async () => {
    const latest = NOW + 600 + 365 * SECONDS_PER_DAY;
    mount.update({ ...EXPIRIES, 'spare-1': '99999999999' });
    const far = await monitor({ TOKEN_EXPIRY_DIR: mount.dir, PUSHGATEWAY_URL: gateway.url });
    expect(far.code).toBe(1);
    expect(far.log.error).toMatch(/entry 'spare-1': value 99999999999 \(5138-11-16T09:46:39Z\) is later than any token minted by now could live \(2027-11-23T00:10:00Z\)/);
    mount.update({ ...EXPIRIES, 'spare-1': String(latest + 1) });
    expect((await monitor({ TOKEN_EXPIRY_DIR: mount.dir, PUSHGATEWAY_URL: gateway.url })).code).toBe(1);
    mount.update({ ...EXPIRIES, 'spare-1': String(latest) });
    expect((await monitor({ TOKEN_EXPIRY_DIR: mount.dir, PUSHGATEWAY_URL: gateway.url })).code).toBe(0);
    expect(gateway.times).toHaveLength(1);
  });

  test.each([
    [{ PUSHGATEWAY_URL: undefined }, /PUSHGATEWAY_URL is not set: point it at the Pushgateway/],
    [{ PUSHGATEWAY_URL: '' }, /PUSHGATEWAY_URL is not set/],
    [{ PUSHGATEWAY_URL: 'GATEWAY ' }, /PUSHGATEWAY_URL has whitespace in it \(a trailing space or newline\?\)/],
    [{ PUSHGATEWAY_URL: 'GATEWAY?x=1' }, /PUSHGATEWAY_URL has a query or fragment: give the base URL only/],
    [{ PUSHGATEWAY_URL: 'GATEWAY#top' }, /PUSHGATEWAY_URL has a query or fragment/],
    [{ PUSH_TIMEOUT_MS: '2147483648' }, /PUSH_TIMEOUT_MS="2147483648" must be a whole number from 1 to 60000/],
    [{ PUSH_ATTEMPTS: '1000' }, /PUSH_ATTEMPTS="1000" must be a whole number from 1 to 10/],
    [{ PUSH_BACKOFF_MS: '0' }, /PUSH_BACKOFF_MS="0" must be a whole number from 1 to 60000/],
  ])('settings %j', async (settings: Record<string, string | undefined>, message) => {
    const env: Record<string, string | undefined> = { TOKEN_EXPIRY_DIR: mount.dir, PUSHGATEWAY_URL: gateway.url };
    for (const [name, value] of Object.entries(settings)) env[name] = value?.replace('GATEWAY', gateway.url);
    const run = await monitor(env);
    expect(run).toMatchObject({ code: 1, log: { event: 'invalid_input', pushed: false } });
    expect(run.log.error).toMatch(message);
    expect(gateway.times).toHaveLength(0);
  });

  test('--dry-run needs no Pushgateway', async () => {
    expect((await monitor({ TOKEN_EXPIRY_DIR: mount.dir }, ['--dry-run'])).code).toBe(0);
  });

  test('a subfolder, a broken link and a stray file in the mount are each named, with "remove it"', async () => {
    mkdirSync(path.join(mount.dir, 'spare-2'));
    symlinkSync(path.join(mount.dir, '..data', 'gone'), path.join(mount.dir, 'spare-3'));
    writeFileSync(path.join(mount.dir, 'notes.txt'), 'hello');
    const run = await monitor({ TOKEN_EXPIRY_DIR: mount.dir, PUSHGATEWAY_URL: gateway.url });
    expect(run.code).toBe(1);
    expect(run.log.error).toContain("entry 'notes.txt' is not a token path and does not belong in the expiry directory: remove it.");
    expect(run.log.error).toContain("entry 'spare-2' is a directory, not a file: a expiry directory holds one file per token; remove it.");
    expect(run.log.error).toContain("entry 'spare-3' is a link to nothing: remove it, or remount the expiry directory.");
    expect(gateway.times).toHaveLength(0);
  });

  test('pointed at a token mount by mistake, it logs no character of any token', async () => {
    const token = makeToken();
    mount.update({ primary: `${token}\n`, 'spare-1': '1808064280' });
    writeFileSync(path.join(mount.dir, token), 'x');
    const run = await monitor({ TOKEN_EXPIRY_DIR: mount.dir, PUSHGATEWAY_URL: gateway.url });
    expect(run.code).toBe(1);
    expect(run.log.error).toContain("entry 'primary': value is not a whole number of unix seconds (108 characters)");
    expect(run.log.error).toContain('sk-ant-oat01-…(redacted, 108 chars)');
    expect(run.raw).not.toContain(token.slice(13, 20));
  });
});

describe('the monitor retries what means "not now"', () => {
  let mount: ConfigMapMount;
  beforeEach(() => {
    mount = new ConfigMapMount(EXPIRIES);
  });
  afterEach(() => mount.remove());

  test.each([[408], [429]])('%i is retried, honouring Retry-After', async (status) => {
    const gateway = await scriptedGateway([{ status, headers: { 'retry-after': '1' } }, { status: 200 }]);
    try {
      const run = await monitor({ TOKEN_EXPIRY_DIR: mount.dir, PUSHGATEWAY_URL: gateway.url, PUSH_BACKOFF_MS: '10' });
      expect(run).toMatchObject({ code: 0, log: { event: 'pushed', attempts: 2 } });
      expect(gateway.times[1] - gateway.times[0]).toBeGreaterThanOrEqual(990);
    } finally {
      await gateway.close();
    }
  });

  test('a Retry-After beyond the run\'s worst case ends the run at once (exit 2), saying so', async () => {
    const gateway = await scriptedGateway([{ status: 429, headers: { 'retry-after': '3600' } }]);
    try {
      const started = Date.now();
      const run = await monitor({ TOKEN_EXPIRY_DIR: mount.dir, PUSHGATEWAY_URL: gateway.url });
      expect(run).toMatchObject({ code: 2, log: { event: 'push_failed', attempts: 1 } });
      expect(run.log.error).toMatch(/asked to retry after 3600s \(last: HTTP 429: answer 429\), beyond this run's deadline/);
      expect(gateway.times).toHaveLength(1);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await gateway.close();
    }
  });
});
