import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { DriftMetrics, Metrics, MONITOR_JOB } from '../../lambda-src/contract';
import { parseVaultTime } from '../../lambda-src/vault-metadata';
import { ConfigMapMount } from '../../devkit/configmap-mount';
import { byLabel, parseExposition } from '../helpers/exposition';
import { startFakeVault } from '../helpers/fake-vault';
import { RunningBinary, startPushgateway, stopAllBinaries } from '../../devkit/real-binaries';
import { runShippedMonitor } from '../helpers/shipped-monitor';

const EXPIRIES = { primary: '1808064429', 'spare-1': '1808064280', 'spare-2': '1808064429' };
const JWT = 'eyJhbGciOiJSUzI1NiJ9.projected-service-account-token.test';

describe('the shipped monitor with drift detection, against a Vault stand-in and a real Pushgateway', () => {
  let gateway: RunningBinary;
  let mount: ConfigMapMount;
  let scratch: string;
  beforeAll(async () => {
    gateway = await startPushgateway();
    mount = new ConfigMapMount(EXPIRIES);
    scratch = mkdtempSync(path.join(tmpdir(), 'vault-jwt-'));
    writeFileSync(path.join(scratch, 'token'), `${JWT}\n`);
  });
  afterAll(async () => {
    mount.remove();
    rmSync(scratch, { recursive: true, force: true });
    await stopAllBinaries();
  });

  const env = (vaultUrl: string, extra: Record<string, string> = {}) => ({
    TOKEN_EXPIRY_DIR: mount.dir,
    PUSHGATEWAY_URL: gateway.url,
    VAULT_ADDR: vaultUrl,
    VAULT_ROLE: 'claude-oauth-expiry-monitor',
    VAULT_JWT_FILE: path.join(scratch, 'token'),
    ...extra,
  });
  const gatewaySamples = async () => parseExposition(await (await fetch(`${gateway.url}/metrics`)).text()).filter((sample) => sample.labels.job === MONITOR_JOB);

  test('logs in with the projected token, reads only metadata, and exports when each secret was written and its token minted', async () => {
    const vault = await startFakeVault({
      role: 'claude-oauth-expiry-monitor',
      jwt: JWT,
      secrets: {
        // Stored by rotate --store: the mint time it recorded for the current version (2).
        'claude-agent-service': { updated: '2026-04-18T16:10:02.123456789Z', customMetadata: { minted_at: '2026-04-18T16:07:09Z', minted_version: '2', recorded_by: 'claude-oauth-tokens' } },
        // Recorded for version 1, then written by other means: the record is stale, the write time is what is known.
        'claude-agent-service-spare-1': { updated: '2026-04-18T16:05:00Z', customMetadata: { minted_at: '2025-01-01T00:00:00Z', minted_version: '1' } },
        'claude-agent-service-spare-2': '2026-11-01T09:00:00.5Z',
      },
    });
    try {
      const run = await runShippedMonitor(env(vault.url));
      expect(run.code).toBe(0);
      const [login, ...reads] = vault.requests;
      expect(login).toMatchObject({ method: 'POST', url: '/v1/auth/kubernetes/login' });
      expect(JSON.parse(login.body)).toEqual({ role: 'claude-oauth-expiry-monitor', jwt: JWT });
      expect(reads.map((request) => `${request.method} ${request.url}`)).toEqual([
        'GET /v1/secret/metadata/claude-agent-service',
        'GET /v1/secret/metadata/claude-agent-service-spare-1',
        'GET /v1/secret/metadata/claude-agent-service-spare-2',
      ]);
      expect(reads.every((request) => request.headers['x-vault-token'] === vault.issuedToken)).toBe(true);
      expect(vault.requests.some((request) => request.url.includes('/data/'))).toBe(false);

      const samples = await gatewaySamples();
      expect(byLabel(samples, DriftMetrics.secretUpdated.name, 'path')).toEqual({
        primary: parseVaultTime('2026-04-18T16:10:02Z'),
        'spare-1': parseVaultTime('2026-04-18T16:05:00Z'),
        'spare-2': parseVaultTime('2026-11-01T09:00:00Z'),
      });
      expect(byLabel(samples, DriftMetrics.secretMinted.name, 'path')).toEqual({
        primary: parseVaultTime('2026-04-18T16:07:09Z'),
        'spare-1': parseVaultTime('2026-04-18T16:05:00Z'),
        'spare-2': parseVaultTime('2026-11-01T09:00:00Z'),
      });
      expect(byLabel(samples, DriftMetrics.vaultCheckSuccess.name, 'path')).toEqual({ primary: 1, 'spare-1': 1, 'spare-2': 1 });
      expect(run.log.vault).toEqual([
        { path: 'primary', ok: true },
        { path: 'spare-1', ok: true },
        { path: 'spare-2', ok: true },
      ]);
      for (const secret of [JWT, vault.issuedToken]) expect(`${run.stdout}${run.stderr}`).not.toContain(secret);
    } finally {
      await vault.close();
    }
  });

  test.each([
    ['a secret that does not exist (404)', { forbidden: [] as string[], drop: 'claude-agent-service-spare-2' }, { primary: 1, 'spare-1': 1, 'spare-2': 0 }, 'not_found'],
    ['a policy without the path (403)', { forbidden: ['claude-agent-service-spare-1'], drop: '' }, { primary: 1, 'spare-1': 0, 'spare-2': 1 }, 'permission_denied'],
  ])('%s fails that check only; the expiry push still happens', async (_case, setup, success, reason) => {
    const secrets: Record<string, string> = {
      'claude-agent-service': '2026-04-18T16:10:00Z',
      'claude-agent-service-spare-1': '2026-04-18T16:05:00Z',
      'claude-agent-service-spare-2': '2026-04-18T16:06:00Z',
    };
    delete secrets[setup.drop];
    const vault = await startFakeVault({ role: 'claude-oauth-expiry-monitor', jwt: JWT, secrets, forbidden: setup.forbidden });
    try {
      const run = await runShippedMonitor(env(vault.url));
      expect(run.code).toBe(0);
      const samples = await gatewaySamples();
      expect(byLabel(samples, DriftMetrics.vaultCheckSuccess.name, 'path')).toEqual(success);
      expect(byLabel(samples, Metrics.expiryTimestamp.name, 'path')).toEqual({ primary: 1808064429, 'spare-1': 1808064280, 'spare-2': 1808064429 });
      expect(run.log.vault).toContainEqual(expect.objectContaining({ ok: false, reason }));
    } finally {
      await vault.close();
    }
  });

  test.each([
    ['sealed (503)', 'sealed', {}, 'login_sealed'],
    ['not answering', 'hang', { VAULT_TIMEOUT_MS: '300' }, 'login_timeout'],
    ['refusing the login (wrong role)', 'healthy', { VAULT_ROLE: 'someone-else' }, 'login_http_400'],
  ] as const)('Vault %s: every check fails with the reason, the push happens, the run succeeds', async (_case, mode, extra, reason) => {
    const vault = await startFakeVault({ role: 'claude-oauth-expiry-monitor', jwt: JWT, secrets: { 'claude-agent-service': '2026-04-18T16:10:00Z' } });
    vault.setMode(mode);
    try {
      const before = Math.floor(Date.now() / 1000);
      const run = await runShippedMonitor(env(vault.url, extra));
      expect(run.code).toBe(0);
      expect(run.log.vault).toEqual(['primary', 'spare-1', 'spare-2'].map((p) => ({ path: p, ok: false, reason })));
      const samples = await gatewaySamples();
      expect(byLabel(samples, DriftMetrics.vaultCheckSuccess.name, 'path')).toEqual({ primary: 0, 'spare-1': 0, 'spare-2': 0 });
      expect(samples.filter((sample) => sample.name === DriftMetrics.secretUpdated.name)).toEqual([]);
      expect(samples.find((sample) => sample.name === Metrics.lastPushTimestamp.name)!.value).toBeGreaterThanOrEqual(before);
      expect(run.elapsedMs).toBeLessThan(10_000);
    } finally {
      await vault.close();
    }
  });

  test('plain-http Vault off loopback: no request is sent (the JWT would travel in clear), and the expiry push still happens', async () => {
    const run = await runShippedMonitor(env('http://vault.example.test:8200'));
    expect(run.code).toBe(0);
    expect(run.log.vault).toEqual(['primary', 'spare-1', 'spare-2'].map((path) => ({ path, ok: false, reason: 'plain_http_refused' })));
    expect(byLabel(await gatewaySamples(), Metrics.expiryTimestamp.name, 'path')).toEqual({ primary: 1808064429, 'spare-1': 1808064280, 'spare-2': 1808064429 });
  });

  test('without VAULT_ADDR the monitor does not touch Vault and exports no drift metrics', async () => {
    const run = await runShippedMonitor({ TOKEN_EXPIRY_DIR: mount.dir, PUSHGATEWAY_URL: gateway.url });
    expect(run.code).toBe(0);
    expect(run.log.vault).toBeUndefined();
    expect((await gatewaySamples()).filter((sample) => sample.name.startsWith('claude_oauth_token_vault') || sample.name === DriftMetrics.secretUpdated.name)).toEqual([]);
  });
});
