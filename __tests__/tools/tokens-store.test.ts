import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { runTokens } from '../../tools/tokens';
import { makeToken, startFakeApi } from '../helpers/fake-anthropic-api';
import { startKvV2 } from '../helpers/kv-v2';
import { EXAMPLE, NOW, VAULT_TOKEN } from '../helpers/store-fixtures';

const LEGACY = '{"claudeAiOauth":{"accessToken":"legacy"}}';

describe('tokens rotate --store: the token into Vault KV v2 and the map line, in one run', () => {
  let dir: string;
  let file: string;
  let kv: Awaited<ReturnType<typeof startKvV2>>;
  let api: Awaited<ReturnType<typeof startFakeApi>>;
  const fresh = makeToken();
  const rejected = makeToken();
  beforeAll(async () => {
    api = await startFakeApi(
      new Map([
        [fresh, 'valid-login'],
        [rejected, 'revoked'],
      ]),
    );
  });
  afterAll(() => api.close());
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'tokens-store-'));
    file = path.join(dir, 'token-mint-epochs.ts');
    writeFileSync(file, EXAMPLE);
    kv = await startKvV2(VAULT_TOKEN, { 'claude-agent-service': { claude_oauth_token: 'the-old-one', claude_credentials_json: LEGACY } });
  });
  afterEach(async () => {
    await kv.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function rotate(args: string[], stdin: string, env: Record<string, string | undefined> = {}) {
    let [stdout, stderr] = ['', ''];
    const status = await runTokens(['rotate', ...args, '--store', '--endpoint', api.url], {
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
      stdin: () => stdin,
      now: () => NOW,
      epochMapFile: file,
      env: { VAULT_ADDR: kv.url, VAULT_TOKEN, ...env },
    });
    const everything = `${stdout}${stderr}${kv.requests.map((request) => `${request.url} ${JSON.stringify(request.headers)}`).join('\n')}`;
    expect(everything).not.toContain(fresh.slice(13));
    expect(everything).not.toContain(rejected.slice(13));
    return { status, stdout, stderr };
  }
  const mapLine = (tokenPath: string) => readFileSync(file, 'utf8').split('\n').find((line) => line.includes(`${tokenPath}'`) || line.trimStart().startsWith(`${tokenPath}:`));

  test('an existing secret: merged (its other fields kept), check-and-set on the version read, mint and expiry in custom_metadata, then the map line', async () => {
    const run = await rotate(['primary', '--minted-at', '2026-11-20T09:30:00Z'], `${fresh}\n`);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const secret = kv.secret('claude-agent-service')!;
    expect(secret.versions).toHaveLength(2);
    expect(secret.versions[1]).toEqual({ claude_oauth_token: fresh, claude_credentials_json: LEGACY }); // no trailing newline, legacy kept
    expect(secret.customMetadata).toEqual({ minted_at: '2026-11-20T09:30:00Z', expires_at: '2027-11-20T09:30:00Z', recorded_by: 'claude-oauth-tokens', minted_version: '2' });
    const write = kv.requests.find((request) => request.method === 'POST' && request.url.endsWith('/data/claude-agent-service'))!;
    expect(JSON.parse(write.body).options).toEqual({ cas: 1 });
    expect(mapLine('primary')).toBe('  primary: 1795167000, // 2026-11-20T09:30:00Z');
    expect(run.stdout).toContain('Stored the token in Vault at secret/claude-agent-service (version 2, was 1; its other fields kept)');
    // The rest in order, numbered: review, deploy (with its command), watch, and revoke only after the deploy.
    const steps = run.stdout.split('\n').filter((line) => /^ {2}\d\. /.test(line));
    expect(steps.map((line) => /^ {2}\d\. (\w+):/.exec(line)?.[1])).toEqual(['Review', 'Deploy', 'Confirm', 'Revoke', 'Watch']);
    expect(steps[1]).toContain('(after merge) npm run deploy -- claude-agent-service');
    expect(steps[3]).toContain('the token this one replaces, only after the deploy (the agents run on it until then)');
    expect(run.stdout).toContain('vault kv get -version=1 -field=claude_oauth_token secret/claude-agent-service | node bin/tokens.js probe --stdin');
  });

  test('a new path with --add: created (check-and-set 0 on a 404), no patch, and the line added', async () => {
    const run = await rotate(['spare-7', '--add', '--minted-at', '2026-11-20T09:30:00Z'], fresh);
    expect(run.status).toBe(0);
    expect(kv.secret('claude-agent-service-spare-7')!.versions).toEqual([{ claude_oauth_token: fresh }]);
    const write = kv.requests.find((request) => request.method === 'POST' && request.url.endsWith('/data/claude-agent-service-spare-7'))!;
    expect(JSON.parse(write.body).options).toEqual({ cas: 0 });
    expect(mapLine('spare-7')).toBe("  'spare-7': 1795167000, // 2026-11-20T09:30:00Z");
    expect(run.stdout).toContain('(version 1, a new secret)');
  });

  test('a write by someone else between the read and the write is refused by check-and-set, not overwritten; nothing recorded', async () => {
    kv.onBeforeWrite((name) => kv.writeDirectly(name, { claude_oauth_token: 'someone-else', claude_credentials_json: LEGACY }));
    const run = await rotate(['primary'], fresh);
    expect(run.status).toBe(4);
    expect(run.stderr).toContain('secret/claude-agent-service changed in Vault while this run was writing it (check-and-set against version 1 refused)');
    expect(run.stderr).toContain('The map was not changed.');
    expect(kv.secret('claude-agent-service')!.versions.map((version) => version.claude_oauth_token)).toEqual(['the-old-one', 'someone-else']);
    expect(readFileSync(file, 'utf8')).toBe(EXAMPLE);
  });

  test.each([
    ['Vault refuses the token', { VAULT_TOKEN: 'hvs.wrong' }, 4, 'Vault refused to read secret/claude-agent-service (403 permission denied)'],
    ['no Vault address', { VAULT_ADDR: undefined }, 1, 'VAULT_ADDR is not set'],
    ['plain http off loopback', { VAULT_ADDR: 'http://vault.example.test:8200' }, 1, 'VAULT_ADDR http://vault.example.test:8200 is plain http'],
  ])('%s: a clear error, nothing written anywhere', async (_name, env, status, message) => {
    const run = await rotate(['primary'], fresh, env);
    expect(run.status).toBe(status);
    expect(run.stderr).toContain(message);
    expect(kv.secret('claude-agent-service')!.versions).toHaveLength(1);
    expect(readFileSync(file, 'utf8')).toBe(EXAMPLE);
  });

  test('a token the API rejects, or of the wrong shape, is never stored; a bad map edit fails before anything is read or sent', async () => {
    const revoked = await rotate(['primary'], rejected);
    expect(revoked.status).toBe(4);
    expect(revoked.stderr).toContain('the Anthropic API rejects this token (revoked)');
    expect((await rotate(['primary'], fresh.slice(0, -1))).stderr).toContain('one short of 108');
    const unknown = await rotate(['spare-9'], fresh);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain("'spare-9' is not in");
    expect(kv.requests.filter((request) => request.method === 'POST' && request.url.startsWith('/v1/secret/'))).toEqual([]);
    expect(readFileSync(file, 'utf8')).toBe(EXAMPLE);
  });

  test('a forbidden or unreachable Vault is found before the token is asked for: no prompt, no probe, nothing written', async () => {
    for (const [env, said] of [
      [{ VAULT_ADDR: kv.url, VAULT_TOKEN: 'hvs.not-the-right-one' }, /Vault refused to read secret\/claude-agent-service \(403 permission denied\)/],
      [{ VAULT_ADDR: 'http://127.0.0.1:9', VAULT_TOKEN }, /Vault at http:\/\/127\.0\.0\.1:9 did not answer/],
    ] as const) {
      let asked = false;
      let stderr = '';
      const probesBefore = api.requests.length;
      const status = await runTokens(['rotate', 'primary', '--store', '--endpoint', api.url], {
        stdout: () => undefined,
        stderr: (text) => (stderr += text),
        stdin: () => {
          asked = true;
          return fresh;
        },
        now: () => NOW,
        epochMapFile: file,
        env,
      });
      expect({ status, asked, probes: api.requests.length - probesBefore }).toEqual({ status: 4, asked: false, probes: 0 });
      expect(stderr).toMatch(said);
      expect(stderr).toContain('The token was not asked for; the map was not changed.');
    }
    expect(kv.requests.filter((request) => request.method === 'POST' && request.url.startsWith('/v1/secret/'))).toEqual([]);
    expect(readFileSync(file, 'utf8')).toBe(EXAMPLE);
  });

  test('if the map cannot be written after Vault accepted the token, it says exactly how to finish and which version to roll back to', async () => {
    kv.onBeforeWrite(() => writeFileSync(file, `${EXAMPLE}\nthis is not TypeScript\n`));
    const run = await rotate(['primary', '--minted-at', '2026-11-20T09:30:00Z'], fresh);
    expect(run.status).toBe(4);
    expect(run.stderr).toContain('the token is stored in Vault (secret/claude-agent-service, version 2), but');
    expect(run.stderr).toContain('To finish: npm run tokens -- rotate primary --record-only --minted-at 2026-11-20T09:30:00Z');
    expect(run.stderr).toContain('To undo instead: vault kv rollback -version=1 secret/claude-agent-service');
  });

  test('metadata refused after the token was stored: the map is recorded and a warning says how to set the metadata', async () => {
    kv.refuseMetadataWrites();
    const run = await rotate(['primary', '--minted-at', '2026-11-20T09:30:00Z'], fresh);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('WARNING: its custom_metadata was not written (403 permission denied); set it by hand: vault kv metadata put -custom-metadata=minted_at=2026-11-20T09:30:00Z');
    expect(mapLine('primary')).toBe('  primary: 1795167000, // 2026-11-20T09:30:00Z');
  });
});
