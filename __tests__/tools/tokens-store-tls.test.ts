import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { makePki } from '../../devkit/cluster/pki';
import { runTokens } from '../../tools/tokens';
import { makeToken, startFakeApi } from '../helpers/fake-anthropic-api';
import { startKvV2 } from '../helpers/kv-v2';
import { EXAMPLE, NOW, VAULT_TOKEN } from '../helpers/store-fixtures';


/** Vault over TLS as the Vault CLI reaches it: its CA from VAULT_CACERT or VAULT_CAPATH, a client certificate when asked. */
describe('tokens rotate --store over TLS, configured as the Vault CLI is', () => {
  let dir: string;
  let file: string;
  let pki: ReturnType<typeof makePki>;
  let kv: Awaited<ReturnType<typeof startKvV2>>;
  let api: Awaited<ReturnType<typeof startFakeApi>>;
  const fresh = makeToken();
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'tokens-tls-'));
    pki = makePki(dir);
    api = await startFakeApi(new Map([[fresh, 'valid-login']]));
    kv = await startKvV2(VAULT_TOKEN, { 'claude-agent-service': { claude_oauth_token: 'the-old-one' } }, { cert: readFileSync(pki.serverCert, 'utf8'), key: readFileSync(pki.serverKey, 'utf8'), clientCa: readFileSync(pki.caCert, 'utf8') });
    mkdirSync(path.join(dir, 'cas'));
    copyFileSync(pki.caCert, path.join(dir, 'cas', 'vault-ca.pem'));
  });
  afterAll(async () => {
    await kv.close();
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    file = path.join(dir, 'token-mint-epochs.ts');
    writeFileSync(file, EXAMPLE);
  });

  async function rotate(env: Record<string, string>) {
    let [stdout, stderr] = ['', ''];
    const status = await runTokens(['rotate', 'primary', '--store', '--endpoint', api.url], {
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
      stdin: () => fresh,
      now: () => NOW,
      epochMapFile: file,
      env: { VAULT_ADDR: kv.url, VAULT_TOKEN, HOME: dir, ...env },
    });
    return { status, stdout, stderr };
  }

  test('VAULT_CAPATH and a client certificate: stored; without the certificate the TLS handshake refuses and nothing is written', async () => {
    const client = { VAULT_CLIENT_CERT: pki.adminCert, VAULT_CLIENT_KEY: pki.adminKey };
    const refused = await rotate({ VAULT_CAPATH: path.join(dir, 'cas') });
    expect(refused.status).toBe(4);
    expect(refused.stderr).toContain('did not answer');
    expect(readFileSync(file, 'utf8')).toBe(EXAMPLE);
    const stored = await rotate({ VAULT_CAPATH: path.join(dir, 'cas'), ...client });
    expect(stored.stderr).toBe('');
    expect(stored.status).toBe(0);
    expect(kv.secret('claude-agent-service')!.versions.at(-1)).toEqual({ claude_oauth_token: fresh });
    const again = await rotate({ VAULT_CACERT: pki.caCert, ...client });
    expect(again.status).toBe(0);
  });

  test.each([
    [{ VAULT_SKIP_VERIFY: 'true' }, 'VAULT_SKIP_VERIFY is set: rotate --store always verifies'],
    [{ VAULT_CLIENT_CERT: '/tmp/cert.pem' }, 'VAULT_CLIENT_KEY is not set, but VAULT_CLIENT_CERT is: set both'],
    [{ VAULT_CAPATH: '/nonexistent-cas' }, 'VAULT_CAPATH /nonexistent-cas does not exist'],
    [{ VAULT_CAPATH: '/proc/self' }, 'holds no .pem or .crt file'],
  ])('%j: refused before any request', async (env, message) => {
    const before = kv.requests.length;
    const run = await rotate(env);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(message);
    expect(kv.requests.length).toBe(before);
  });
});
