import { TokenExpiryConfigMap } from '../../constructs/token-expiry-config-map';
import { ProjectStack } from '../../stacks/project-stack';
import { resourcesOfType, synthConstructs, testApp } from '../helpers/synth';
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

  test("stays under the API server's 1 MiB for a ConfigMap's data: 14,364 tokens of the longest paths fit, one more is refused at synth", () => {
    // The longest token path (63 characters) and a 10-digit expiry: 73 bytes an entry.
    const tokens = (count: number) => Array.from({ length: count }, (_, index) => ({ path: `t${String(index).padStart(62, '0')}`, expiresAt: 1_808_064_429 }));
    // Checked when the construct is built, before anything is synthesized.
    const build = (count: number) => () => new TokenExpiryConfigMap(new ProjectStack(testApp(), 'test'), 'expiry', { namespace: 'claude-agent', tokens: tokens(count) as any });
    expect(build(14_364)).not.toThrow();
    expect(build(14_365)).toThrow(
      "TokenExpiryConfigMap: ConfigMap 'claude-oauth-token-expiry' would hold 1,048,645 bytes of data, over the 1,048,576 (1 MiB) the Kubernetes API server accepts; the map has 14,365 tokens: retire spares (tokens remove) or shorten their paths.",
    );
  });
});
