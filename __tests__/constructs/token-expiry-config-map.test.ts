import { TokenExpiryConfigMap } from '../../constructs/token-expiry-config-map';
import { resourcesOfType, synthConstructs } from '../helpers/synth';
import { testInventory } from '../helpers/inventory';

describe('TokenExpiryConfigMap', () => {
  test('holds one key per token path valued with its expiry in unix seconds, and nothing else', () => {
    const inventory = testInventory();
    const [configMap] = resourcesOfType(
      synthConstructs((scope) => new TokenExpiryConfigMap(scope, 'expiry', { namespace: 'claude-agent', tokens: inventory.tokens })),
      'kubernetes_config_map_v1',
    );
    expect(configMap.metadata).toMatchObject({ name: 'claude-oauth-token-expiry', namespace: 'claude-agent' });
    expect(configMap.metadata.labels).toEqual({
      'app.kubernetes.io/name': 'claude-oauth-token-expiry',
      'app.kubernetes.io/component': 'token-expiry',
      'app.kubernetes.io/part-of': 'claude-oauth-tokens',
      'app.kubernetes.io/managed-by': 'cdktf',
    });
    expect(configMap.data).toEqual(Object.fromEntries(inventory.tokens.map((token) => [token.path, String(token.expiresAt)])));
    expect(configMap.data).toEqual({ primary: '1808064429', 'spare-1': '1808064280', 'spare-2': '1808064429' });
  });

  test('refuses an empty token list', () => {
    expect(() => synthConstructs((scope) => new TokenExpiryConfigMap(scope, 'expiry', { namespace: 'claude-agent', tokens: [] }))).toThrow(
      /no tokens given/,
    );
  });
});
