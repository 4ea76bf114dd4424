import { ProjectStack } from '../project-stack';
import { Construct } from 'constructs';
import { KubernetesCluster, KubernetesClusterProps } from '../../constructs/kubernetes-cluster';
import { VaultClusterSecretStore } from '../../constructs/vault-cluster-secret-store';
import { VaultConnection } from '../../constructs/vault-connection';
import { VaultKubernetesRole } from '../../constructs/vault-kubernetes-role';
import { VaultReadPolicy } from '../../constructs/vault-read-policy';
import { VaultAuthMountCheck } from '../../constructs/vault-auth-mount-check';
import { TokenInventory } from '../../inventory/token-inventory';
import { MONITOR_VAULT_ROLE, VAULT_TOKEN_AUDIENCE } from '../../lambda-src/contract';
import { VAULT_AUTH_MOUNT } from '../../settings/object-names';

/** A Kubernetes ServiceAccount, by name and namespace. */
export interface ServiceAccountReference {
  readonly name: string;
  readonly namespace: string;
}

export interface VaultAccessStackProps {
  /** The validated tokens: the policy grants exactly their paths. */
  readonly inventory: TokenInventory;
  /**
   * Vault's address for `cdktf deploy`.
   * @default `VAULT_ADDR`
   */
  readonly vaultAddress?: string;
  /**
   * Mount path of Vault's Kubernetes auth method.
   * @default 'kubernetes'
   */
  readonly authMount?: string;
  /**
   * Audience the ServiceAccount tokens presented to Vault must carry (the roles require it; the
   * store of its own requests it).
   * @default 'vault'
   */
  readonly audience?: string;
  /**
   * External Secrets Operator's ServiceAccount, which logs in to Vault.
   * @default external-secrets/external-secrets
   */
  readonly esoServiceAccount?: ServiceAccountReference;
  /**
   * Also create a ClusterSecretStore of its own that logs in with the least-privilege role, usable
   * from `namespaces` only (needs a cluster connection).
   * @default off: ExternalSecrets read through an existing store (and its own Vault role)
   */
  readonly clusterSecretStore?: {
    readonly server: string;
    readonly namespaces: readonly string[];
    readonly name?: string;
    readonly cluster?: KubernetesClusterProps;
  };
  /**
   * Let the expiry monitor's ServiceAccount read the tokens' KV metadata (never data), for drift detection.
   * @default off
   */
  readonly driftDetection?: { readonly monitorServiceAccount: ServiceAccountReference };
}

/** Role names ESO and the monitor log in with: referenced by the store and the monitor. */
export const ESO_VAULT_ROLE = 'claude-agent-service-eso';
/** What ESO's Vault provider calls to validate a store (`Validate()` -> `checkToken`, a token lookup-self). */
const TOKEN_LOOKUP_SELF = 'auth/token/lookup-self';

/**
 * The Vault side of token delivery, least privilege: ESO may `read` exactly the KV v2 data paths of
 * the tokens in the map (a new spare extends it), nothing else. No token value is read or written
 * here, so none can reach Terraform state.
 */
export class VaultAccessStack extends ProjectStack {
  readonly esoPolicy: VaultReadPolicy;
  readonly monitorPolicy?: VaultReadPolicy;

  constructor(scope: Construct, id: string, props: VaultAccessStackProps) {
    super(scope, id);
    new VaultConnection(this, 'vault', { address: props.vaultAddress });
    const authMount = props.authMount ?? VAULT_AUTH_MOUNT;
    const audience = props.audience ?? VAULT_TOKEN_AUDIENCE;
    const eso = props.esoServiceAccount ?? { name: 'external-secrets', namespace: 'external-secrets' };
    const tokens = props.inventory.tokens;
    new VaultAuthMountCheck(this, 'auth-mount', { mount: authMount });

    this.esoPolicy = new VaultReadPolicy(this, 'eso-policy', {
      name: `${ESO_VAULT_ROLE}-read`,
      purpose:
        `External Secrets Operator (${eso.namespace}/${eso.name}) reads the Claude Code OAuth tokens, and nothing else; ` +
        "lookup-self because ESO validates a store by looking up its own token (the role gets no 'default' policy).",
      paths: [...tokens.map((token) => token.vault.dataPath), TOKEN_LOOKUP_SELF],
    });
    new VaultKubernetesRole(this, 'eso-role', {
      roleName: ESO_VAULT_ROLE,
      serviceAccount: eso,
      policies: [this.esoPolicy.name],
      authMount,
      audience,
    });

    if (props.driftDetection) {
      this.monitorPolicy = new VaultReadPolicy(this, 'monitor-policy', {
        name: `${MONITOR_VAULT_ROLE}-metadata`,
        purpose: 'The expiry monitor reads when each token secret was last written (KV v2 metadata), never the token.',
        paths: tokens.map((token) => token.vault.metadataPath),
      });
      new VaultKubernetesRole(this, 'monitor-role', {
        roleName: MONITOR_VAULT_ROLE,
        serviceAccount: props.driftDetection.monitorServiceAccount,
        policies: [this.monitorPolicy.name],
        authMount,
        audience,
      });
    }

    if (props.clusterSecretStore) {
      new KubernetesCluster(this, 'cluster', props.clusterSecretStore.cluster);
      new VaultClusterSecretStore(this, 'store', {
        server: props.clusterSecretStore.server,
        name: props.clusterSecretStore.name,
        namespaces: props.clusterSecretStore.namespaces,
        kvMount: props.inventory.primary.vault.mount,
        role: ESO_VAULT_ROLE,
        serviceAccount: eso,
        authMount,
        audience,
      });
    }
  }
}
