import { execFileSync } from 'child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { runTokens } from '../../tools/tokens';
import { makeToken, startFakeApi } from '../helpers/fake-anthropic-api';
import { startKvV2 } from '../helpers/kv-v2';
import { EXAMPLE, NOW, VAULT_TOKEN } from '../helpers/store-fixtures';


/** `rotate --store` says what happened as it happened: never "nothing was written" after a write was sent, never a hang or a raw errno. */
describe('tokens rotate --store: outcomes said as they are', () => {
  let dir: string;
  let file: string;
  let kv: Awaited<ReturnType<typeof startKvV2>>;
  let api: Awaited<ReturnType<typeof startFakeApi>>;
  const fresh = makeToken();
  beforeAll(async () => {
    api = await startFakeApi(new Map([[fresh, 'valid-login']]));
  });
  afterAll(() => api.close());
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'tokens-outcomes-'));
    file = path.join(dir, 'token-mint-epochs.ts');
    writeFileSync(file, EXAMPLE);
    kv = await startKvV2(VAULT_TOKEN, { 'claude-agent-service': { claude_oauth_token: 'the-old-one' } });
  });
  afterEach(async () => {
    await kv.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function rotate(env: Record<string, string | undefined>) {
    let [stdout, stderr] = ['', ''];
    let asked = false;
    const status = await runTokens(['rotate', 'primary', '--store', '--endpoint', api.url], {
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
      stdin: () => {
        asked = true;
        return fresh;
      },
      now: () => NOW,
      epochMapFile: file,
      env: { VAULT_ADDR: kv.url, VAULT_TOKEN, HOME: dir, ...env },
    });
    expect(`${stdout}${stderr}`).not.toContain(fresh.slice(13));
    expect(stderr).not.toMatch(/\b(ENOENT|EISDIR|EACCES)\b|^\s+at /m);
    expect(readFileSync(file, 'utf8')).toBe(EXAMPLE);
    return { status, stdout, stderr, asked, writes: kv.requests.filter((request) => request.method === 'POST' && request.url.startsWith('/v1/secret/')).length };
  }

  test('Vault stored the token but answered after the deadline: the outcome is unknown and says how to look, not "nothing was written"', async () => {
    kv.answerWritesLate('data', 1_500);
    const run = await rotate({ VAULT_CLIENT_TIMEOUT: '1' });
    expect(run.status).toBe(4);
    expect(kv.secret('claude-agent-service')!.versions).toHaveLength(2); // it was stored
    expect(run.stderr).toContain('did not answer the write of secret/claude-agent-service (no answer within 1000 ms): whether it stored the token is unknown');
    expect(run.stderr).toContain('vault kv metadata get secret/claude-agent-service');
    expect(run.stderr).not.toContain('nothing was written');
    expect(run.stderr).toContain('The map was not changed.');
  });

  test('the metadata answer lost after the token was stored: recorded, with a warning, never "nothing was written"', async () => {
    kv.answerWritesLate('metadata', 1_500);
    let stdout = '';
    const status = await runTokens(['rotate', 'primary', '--store', '--endpoint', api.url, '--minted-at', '2026-11-20T09:30:00Z'], {
      stdout: (text) => (stdout += text),
      stderr: (text) => (stdout += text),
      stdin: () => fresh,
      now: () => NOW,
      epochMapFile: file,
      env: { VAULT_ADDR: kv.url, VAULT_TOKEN, HOME: dir, VAULT_CLIENT_TIMEOUT: '1' },
    });
    expect(status).toBe(0);
    expect(stdout).toContain('WARNING: whether its custom_metadata was written is unknown');
    expect(stdout).not.toContain('nothing was written');
    expect(readFileSync(file, 'utf8')).not.toBe(EXAMPLE);
  });

  test('a Vault token that may read the secret but not write it: refused before the token is asked for', async () => {
    kv.grantReadOnly();
    const run = await rotate({});
    expect(run).toMatchObject({ status: 4, asked: false, writes: 0 });
    expect(run.stderr).toContain('the Vault token may not update secret/claude-agent-service (its capabilities there: read): its policy needs update on secret/data/claude-agent-service');
  });

  test.each([
    ['a 200 that is not JSON (a proxy page)', 200, '<html>sign in</html>'],
    ['a 200 JSON without KV v2 data (a KV v1 mount)', 200, '{"data":{"claude_oauth_token":"x"}}'],
    ['a 404 that is not JSON', 404, 'not found'],
  ])('%s: the read stops the write; nothing asked, nothing written', async (_, status, text) => {
    kv.answerReadsWith(status, text);
    const run = await rotate({});
    expect(run).toMatchObject({ status: 4, asked: false, writes: 0 });
    expect(run.stderr).toContain('is not the JSON a KV version 2 mount answers with');
  });

  test.each([
    ['VAULT_TOKEN with a line break', { VAULT_TOKEN: `${VAULT_TOKEN}\n` }, 'holds a space, line break or unprintable character'],
    ['VAULT_ADDR not http(s)', { VAULT_ADDR: 'ftp://127.0.0.1:21' }, 'VAULT_ADDR is a ftp: URL'],
    ['VAULT_CACERT missing', { VAULT_CACERT: '/nonexistent/ca.pem' }, 'VAULT_CACERT /nonexistent/ca.pem does not exist'],
    ['VAULT_CACERT a folder', { VAULT_CACERT: '/tmp' }, 'VAULT_CACERT /tmp is a folder, not a file'],
    ['VAULT_CLIENT_TIMEOUT in milliseconds', { VAULT_CLIENT_TIMEOUT: '10000ms' }, 'VAULT_CLIENT_TIMEOUT "10000ms" is not a timeout from 1s to 60m'],
  ])('%s: refused before any request, naming the variable and the fix', async (_, env, message) => {
    const before = kv.requests.length;
    const run = await rotate(env);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(message);
    expect(kv.requests.length).toBe(before);
  });

  test('a FIFO as VAULT_CACERT or as ~/.vault-token is refused at once, never waited on', async () => {
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const cacert = await rotate({ VAULT_CACERT: fifo });
    expect(cacert.stderr).toContain(`VAULT_CACERT ${fifo} is not a regular file`);
    mkdirSync(path.join(dir, 'home'));
    execFileSync('mkfifo', [path.join(dir, 'home', '.vault-token')]);
    const tokenFile = await rotate({ VAULT_TOKEN: undefined, HOME: path.join(dir, 'home') });
    expect(tokenFile.stderr).toContain("the Vault CLI's token file ~/.vault-token is not a regular file");
    expect([cacert.status, tokenFile.status]).toEqual([1, 1]);
  });
});
