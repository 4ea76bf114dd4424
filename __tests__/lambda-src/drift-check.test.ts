import { checkVaultDrift } from '../../lambda-src/drift-check';

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
