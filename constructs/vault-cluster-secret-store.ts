import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { Construct } from 'constructs';
import { VAULT_TOKEN_AUDIENCE } from '../lambda-src/contract';
import { recommendedLabels } from './labels';
import { VAULT_AUTH_MOUNT } from '../settings/object-names';

export interface VaultClusterSecretStoreProps {
  /** Vault's address as ESO reaches it, e.g. `https://vault.vault:8200`. */
  readonly server: string;
  /** KV v2 mount the tokens live in; ExternalSecrets' `remoteRef.key` is relative to it. */
  readonly kvMount: string;
  /** The Kubernetes-auth role ESO logs in with. */
  readonly role: string;
  /** ESO's ServiceAccount, whose token ESO presents to Vault. */
  readonly serviceAccount: { readonly name: string; readonly namespace: string };
  /**
   * Mount path of Vault's Kubernetes auth method.
   * @default 'kubernetes'
   */
  readonly authMount?: string;
  /**
   * Name of the store (what ExternalSecrets reference): one of its own, never a store others share,
   * since the least-privilege role it logs in with can read the tokens and nothing else.
   * @default 'claude-oauth-tokens-vault'
   */
  readonly name?: string;
  /** The only namespaces whose ExternalSecrets may use the store (`spec.conditions`). */
  readonly namespaces: readonly string[];
  /**
   * Audience of the ServiceAccount token ESO presents; the Vault role must require the same.
   * @default 'vault'
   */
  readonly audience?: string;
}

export const DEDICATED_STORE_NAME = 'claude-oauth-tokens-vault';

/**
 * The ESO ClusterSecretStore (`external-secrets.io/v1`) for Vault KV v2 with Kubernetes auth, usable
 * only from the listed namespaces, presenting an audience-bound ServiceAccount token.
 */
export class VaultClusterSecretStore extends Construct {
  readonly name: string;

  constructor(scope: Construct, id: string, props: VaultClusterSecretStoreProps) {
    super(scope, id);
    this.name = props.name ?? DEDICATED_STORE_NAME;
    if (props.namespaces.length === 0) throw new Error(`VaultClusterSecretStore '${this.name}': no namespaces given; a store usable everywhere would hand the tokens to any namespace.`);
    if (!/^https?:\/\/[^\s/]+/.test(props.server)) {
      throw new Error(`VaultClusterSecretStore '${this.name}': server '${props.server}' is not an http(s) URL (e.g. https://vault.vault:8200).`);
    }
    new Manifest(this, 'resource', {
      manifest: {
        apiVersion: 'external-secrets.io/v1',
        kind: 'ClusterSecretStore',
        metadata: { name: this.name, labels: recommendedLabels(this.name, 'secret-store') },
        spec: {
          conditions: [{ namespaces: [...props.namespaces] }],
          provider: {
            vault: {
              server: props.server,
              path: props.kvMount,
              version: 'v2',
              auth: {
                kubernetes: {
                  mountPath: props.authMount ?? VAULT_AUTH_MOUNT,
                  role: props.role,
                  serviceAccountRef: {
                    name: props.serviceAccount.name,
                    namespace: props.serviceAccount.namespace,
                    audiences: [props.audience ?? VAULT_TOKEN_AUDIENCE],
                  },
                },
              },
            },
          },
        },
      },
    });
  }
}
