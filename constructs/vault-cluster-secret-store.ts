import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { Construct } from 'constructs';
import { recommendedLabels } from './labels';

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
   * Name of the store (what ExternalSecrets reference).
   * @default 'vault-backend'
   */
  readonly name?: string;
}

/** The ESO ClusterSecretStore (`external-secrets.io/v1`) for Vault KV v2 with Kubernetes auth. */
export class VaultClusterSecretStore extends Construct {
  readonly name: string;

  constructor(scope: Construct, id: string, props: VaultClusterSecretStoreProps) {
    super(scope, id);
    this.name = props.name ?? 'vault-backend';
    if (!/^https?:\/\/[^\s/]+/.test(props.server)) {
      throw new Error(`VaultClusterSecretStore '${this.name}': server '${props.server}' is not an http(s) URL (e.g. https://vault.vault:8200).`);
    }
    new Manifest(this, 'resource', {
      manifest: {
        apiVersion: 'external-secrets.io/v1',
        kind: 'ClusterSecretStore',
        metadata: { name: this.name, labels: recommendedLabels(this.name, 'secret-store') },
        spec: {
          provider: {
            vault: {
              server: props.server,
              path: props.kvMount,
              version: 'v2',
              auth: {
                kubernetes: {
                  mountPath: props.authMount ?? 'kubernetes',
                  role: props.role,
                  serviceAccountRef: { name: props.serviceAccount.name, namespace: props.serviceAccount.namespace },
                },
              },
            },
          },
        },
      },
    });
  }
}
