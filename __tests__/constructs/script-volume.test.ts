import { Duration } from '../../inventory/duration';
import { ScriptVolume } from '../../constructs/script-volume';

describe('ScriptVolume', () => {
  test('each factory names exactly one source, mounted read-only', () => {
    const volumes = [
      ScriptVolume.fromConfigMap('expiry', '/etc/expiry', 'claude-oauth-token-expiry'),
      ScriptVolume.fromSecret('tokens', '/etc/tokens', 'claude-oauth-token-probe-tokens'),
      ScriptVolume.fromServiceAccountToken('vault-token', '/var/run/secrets/vault', { audience: 'vault', expiration: Duration.minutes(10) }),
    ];
    expect(volumes.map((volume) => volume.podVolume)).toEqual([
      { name: 'expiry', configMap: { name: 'claude-oauth-token-expiry', defaultMode: '0444' } },
      { name: 'tokens', secret: { secretName: 'claude-oauth-token-probe-tokens', defaultMode: '0440' } },
      {
        name: 'vault-token',
        projected: [{ defaultMode: '0440', sources: [{ serviceAccountToken: { audience: 'vault', expirationSeconds: 600, path: 'token' } }] }],
      },
    ]);
    expect(volumes.map((volume) => volume.volumeMount)).toEqual([
      { name: 'expiry', mountPath: '/etc/expiry', readOnly: true },
      { name: 'tokens', mountPath: '/etc/tokens', readOnly: true },
      { name: 'vault-token', mountPath: '/var/run/secrets/vault', readOnly: true },
    ]);
  });
});
