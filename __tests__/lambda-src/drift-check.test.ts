import { execFileSync } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { checkVaultDrift } from '../../lambda-src/drift-check';
import { plainHttpOffCluster } from '../../lambda-src/http-request';

describe('checkVaultDrift settings', () => {
  test('off without VAULT_ADDR; a bad VAULT_TIMEOUT_MS fails every path with its reason instead of a silent default, sending nothing', async () => {
    expect(await checkVaultDrift({}, ['primary'])).toBeUndefined();
    const results = await checkVaultDrift({ VAULT_ADDR: 'https://vault.invalid:8200', VAULT_TIMEOUT_MS: 'soon' }, ['primary', 'spare-1']);
    expect(results).toEqual([
      { path: 'primary', check: { ok: false, reason: 'invalid_timeout' } },
      { path: 'spare-1', check: { ok: false, reason: 'invalid_timeout' } },
    ]);
  });
});

describe('plain http to Vault', () => {
  test('refused outside the cluster, sending nothing; a cluster-local Service name is let through to the login', async () => {
    for (const outside of ['http://vault.example.test:8200', 'http://vault.vault:8200', 'http://svc.cluster.local:8200']) {
      expect(plainHttpOffCluster(outside)).toBe(true);
      expect(await checkVaultDrift({ VAULT_ADDR: outside }, ['primary'])).toEqual([{ path: 'primary', check: { ok: false, reason: 'plain_http_refused' } }]);
    }
    for (const inside of ['http://vault-active.vault.svc.cluster.local:8200', 'http://vault.vault.svc:8200', 'http://127.0.0.1:8200', 'https://vault.example.test']) {
      expect(plainHttpOffCluster(inside)).toBe(false);
    }
    // Let through, it gets as far as reading the pod's ServiceAccount token (absent here), not refused.
    const results = await checkVaultDrift({ VAULT_ADDR: 'http://vault-active.vault.svc.cluster.local:8200', VAULT_JWT_FILE: '/nonexistent/token' }, ['primary']);
    expect(results).toEqual([{ path: 'primary', check: { ok: false, reason: 'no_service_account_token' } }]);
  });
});

describe('the ServiceAccount token file', () => {
  test('a FIFO there is refused at once (the pushes after it go on), never waited on', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'drift-jwt-'));
    try {
      const fifo = path.join(dir, 'token');
      execFileSync('mkfifo', [fifo]);
      const results = await checkVaultDrift({ VAULT_ADDR: 'http://vault-active.vault.svc:8200', VAULT_JWT_FILE: fifo }, ['primary']);
      expect(results).toEqual([{ path: 'primary', check: { ok: false, reason: 'no_service_account_token' } }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
