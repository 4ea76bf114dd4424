import { spawn, spawnSync } from 'child_process';
import { closeSync, openSync } from 'fs';
import { TOKEN_SHAPED } from '../../inventory/token-shape';
import { AppCopy } from '../../devkit/app-copy';
import { Behaviour, makeToken, startFakeApi } from '../helpers/fake-anthropic-api';

describe('npm run tokens -- probe --stdin', () => {
  let app: AppCopy;
  let api: Awaited<ReturnType<typeof startFakeApi>>;
  const tokens = new Map<Behaviour, string>((['valid-setup-token', 'revoked', 'expired', 'rate-limited'] as Behaviour[]).map((b) => [b, makeToken()]));
  beforeAll(async () => {
    app = new AppCopy();
    api = await startFakeApi(new Map([...tokens].map(([behaviour, token]) => [token, behaviour])));
  });
  afterAll(async () => {
    app.remove();
    await api.close();
  });

  test.each([
    ['valid-setup-token', 0, 'valid'],
    ['revoked', 2, 'rejected (revoked)'],
    ['expired', 2, 'rejected (expired)'],
    ['rate-limited', 3, 'unknown (http_429)'],
  ] as const)('%s: exit %i, prints %s, and nothing token-shaped', async (behaviour, code, printed) => {
    const run = await app.tokens(['probe', '--stdin', '--endpoint', api.url], {}, `${tokens.get(behaviour)}\n`);
    expect(run.stdout).toBe(`${printed}\n`);
    expect(run.status).toBe(code);
    expect(`${run.stdout}${run.stderr}`).not.toMatch(TOKEN_SHAPED);
    expect(api.requests[api.requests.length - 1].authorization).toBe(`Bearer ${tokens.get(behaviour)}`);
  });

  test('a token given as an argument is refused (argv ends up in shell history) and not echoed', async () => {
    const token = makeToken();
    const run = await app.tokens(['probe', token]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("'probe' reads it from standard input");
    expect(`${run.stdout}${run.stderr}`).not.toContain(token);
  });

  test('plain http off loopback is a usage error, before any request', async () => {
    const before = api.requests.length;
    const run = await app.tokens(['probe', '--stdin', '--endpoint', 'http://api.example.test/x'], {}, makeToken());
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('not https');
    expect(api.requests).toHaveLength(before);
  });

  test('as its own process (the entry point): the token piped in, the verdict on stdout, the exit code', async () => {
    const run = await app.runAsync('tokens', ['probe', '--stdin', '--endpoint', api.url], `${tokens.get('revoked')}\n`);
    expect({ status: run.status, stdout: run.stdout, stderr: run.stderr }).toEqual({ status: 2, stdout: 'rejected (revoked)\n', stderr: '' });
  });

  test('standard input that is a folder is a usage error, not a stack trace', () => {
    const folder = openSync(app.dir, 'r');
    try {
      const run = spawnSync(process.execPath, ['-r', './tools/register-ts.js', 'tools/tokens.ts', 'probe', '--stdin', '--endpoint', api.url], {
        cwd: app.dir,
        stdio: [folder, 'pipe', 'pipe'],
        encoding: 'utf8',
      });
      expect(run.status).toBe(1);
      expect(run.stderr).toBe('tokens: standard input is neither a terminal, a file nor a pipe: paste the token at the prompt, or pipe it in.\n');
    } finally {
      closeSync(folder);
    }
  });

  test('on a terminal it prompts, and the pasted token is not echoed', async () => {
    const token = tokens.get('valid-setup-token')!;
    const command = `${process.execPath} -r ./tools/register-ts.js tools/tokens.ts probe --stdin --endpoint ${api.url}`;
    // util-linux script(1) gives the command a real pseudo-terminal; what it prints is what a person would see.
    const terminal = spawn('script', ['-qfec', command, '/dev/null'], { cwd: app.dir, env: { ...process.env, TERM: 'dumb' } });
    let screen = '';
    terminal.stdout.on('data', (chunk) => {
      screen += chunk;
      if (screen.includes('(it is not shown): ') && !screen.includes('sent')) {
        screen += 'sent';
        terminal.stdin.write(`${token}\r`);
      }
    });
    const status = await new Promise<number | null>((resolve) => terminal.on('close', resolve));
    expect(screen).toContain('Paste the token, then press Enter (it is not shown): ');
    expect(screen).toMatch(/valid\r?\n/);
    expect(screen).not.toContain(token.slice(13, 30));
    expect(status).toBe(0);
  }, 30_000);

  test('echo goes off on a terminal before anything slow loads, for the commands that read a token only', async () => {
    // What the terminal is set to right after the first preload ran: stty reads the same terminal.
    const sttyAfterPreload = (args: string) =>
      new Promise<string>((resolve) => {
        const command = `${process.execPath} -r ./tools/tty-echo-off.js -e "process.stdout.write(require('child_process').execSync('stty -a', { stdio: ['inherit', 'pipe', 'inherit'] }).toString())" ${args}`;
        const terminal = spawn('script', ['-qfec', command, '/dev/null'], { cwd: app.dir, env: { ...process.env, TERM: 'dumb' } });
        let screen = '';
        terminal.stdout.on('data', (chunk) => (screen += chunk));
        terminal.on('close', () => resolve(screen));
      });
    expect(await sttyAfterPreload('probe --stdin')).toMatch(/(^|\s)-echo(\s|$)/);
    expect(await sttyAfterPreload('rotate primary --store')).toMatch(/(^|\s)-echo(\s|$)/);
    expect(await sttyAfterPreload('status')).toMatch(/(^|\s)echo(\s|$)/);
  }, 30_000);
});
