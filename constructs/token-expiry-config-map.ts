import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
import { Construct } from 'constructs';
import { TokenRecord } from '../inventory/token-inventory';
import { checkConfigMapData } from './kubernetes-limits';
import { recommendedLabels } from './labels';

export interface TokenExpiryConfigMapProps {
  /** Namespace of the ConfigMap (the monitor mounts it from there). */
  readonly namespace: string;
  /** The tokens, from the inventory: one key per path, valued with its expiry. */
  readonly tokens: readonly Pick<TokenRecord, 'path' | 'expiresAt'>[];
  /**
   * Name of the ConfigMap.
   * @default 'claude-oauth-token-expiry'
   */
  readonly name?: string;
}

/**
 * `<token path>` -> expiry in unix seconds (a decimal string): all the monitor needs to know,
 * and nothing secret.
 */
export class TokenExpiryConfigMap extends Construct {
  readonly name: string;
  readonly namespace: string;
  /** The ConfigMap's data, as synthesized. */
  readonly data: Readonly<Record<string, string>>;
  readonly resource: ConfigMapV1;

  constructor(scope: Construct, id: string, props: TokenExpiryConfigMapProps) {
    super(scope, id);
    if (props.tokens.length === 0) {
      throw new Error('TokenExpiryConfigMap: no tokens given; an empty map would leave every token unwatched.');
    }
    this.name = props.name ?? 'claude-oauth-token-expiry';
    this.namespace = props.namespace;
    this.data = Object.fromEntries(props.tokens.map((token) => [token.path, String(token.expiresAt)]));
    checkConfigMapData('TokenExpiryConfigMap', this.name, this.data, `the map has ${props.tokens.length.toLocaleString('en-US')} tokens: retire spares (tokens remove) or shorten their paths.`);
    this.resource = new ConfigMapV1(this, 'resource', {
      metadata: {
        name: this.name,
        namespace: props.namespace,
        labels: recommendedLabels(this.name, 'token-expiry'),
      },
      data: this.data,
    });
  }
}
