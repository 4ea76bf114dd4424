import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { Construct } from 'constructs';
import { VaultSecretLocation } from '../inventory/vault-location';
import { DEDICATED_TOKEN_SECRET_NAME, TOKEN_ENV_VAR } from '../settings/object-names';
import { Duration } from '../inventory/duration';
import { DEFAULT_SECRET_STORE, ExternalSecretEntry, externalSecretManifest, OWNS_ITS_FIELDS, SecretStoreReference } from './external-secret-manifest';

export type { SecretStoreReference } from './external-secret-manifest';

export { DEDICATED_TOKEN_SECRET_NAME, SHARED_AGENT_SECRET_NAME, TOKEN_ENV_VAR } from '../settings/object-names';

/** Another key of the agents' shared Secret, read from Vault (only with `tokenDelivery: "shared"`). */
export interface AgentSecretEntry {
  /** Key in the Secret, i.e. the environment variable the agents see, e.g. `GITHUB_TOKEN`. */
  readonly secretKey: string;
  /** The Vault secret, relative to the store's KV mount, e.g. `claude-agent-service`. */
  readonly key: string;
  /** Its field, e.g. `github_pat`. */
  readonly property: string;
  /**
   * Read it through another store than the token's (the team's, when the token has a store of its own).
   * @default the ExternalSecret's store
   */
  readonly store?: SecretStoreReference;
}

export interface AgentTokenExternalSecretProps {
  /** Namespace of the ExternalSecret and of the Secret it creates. */
  readonly namespace: string;
  /** The Vault secret of the token the agents use (the inventory's `primary.vault`). */
  readonly token: VaultSecretLocation;
  /**
   * Name of the ExternalSecret and of the Secret ESO creates and owns. ESO recomputes an owned
   * Secret whole on every sync, so it must be a Secret no other ExternalSecret writes to.
   * @default 'claude-oauth-token'
   */
  readonly name?: string;
  /**
   * The other keys of the Secret, when this project owns the agents' shared Secret whole.
   * @default none: the Secret holds the token alone
   */
  readonly otherEntries?: readonly AgentSecretEntry[];
  /**
   * The store ESO reads through. Its Vault provider must have `path` set to the KV v2 mount
   * (`token.mount`), since `remoteRef.key` is relative to it.
   * @default ClusterSecretStore 'vault-kv'
   */
  readonly secretStore?: SecretStoreReference;
  /**
   * How often ESO re-reads Vault: the longest a rotated token takes to reach the Secret.
   * @default Duration.hours(1)
   */
  readonly refreshInterval?: Duration;
  /**
   * Annotations of the ExternalSecret. ESO re-syncs an ExternalSecret at once when its annotations
   * change (`externalsecret_controller.go`: the synced resource version hashes them), so one derived
   * from the primary's entry makes a rotation's deploy fetch the new token without waiting.
   * @default none
   */
  readonly annotations?: Readonly<Record<string, string>>;
  /**
   * Secret key that carries the token; pods load it as this environment variable.
   * @default 'CLAUDE_CODE_OAUTH_TOKEN'
   */
  readonly tokenSecretKey?: string;
}

/**
 * The ExternalSecret (`external-secrets.io/v1`) that has ESO copy the agents' token from Vault into a
 * Kubernetes Secret this project owns; the agents load it with one more `envFrom`. It never holds the
 * token itself: only where to find it.
 */
export class AgentTokenExternalSecret extends Construct {
  /** Name of the ExternalSecret and of the Secret it owns. */
  readonly secretName: string;
  readonly resource: Manifest;

  constructor(scope: Construct, id: string, props: AgentTokenExternalSecretProps) {
    super(scope, id);
    this.secretName = props.name ?? DEDICATED_TOKEN_SECRET_NAME;
    const tokenKey = props.tokenSecretKey ?? TOKEN_ENV_VAR;
    const data: ExternalSecretEntry[] = [
      { secretKey: tokenKey, key: props.token.name, property: props.token.field },
      ...(props.otherEntries ?? []),
    ];
    this.resource = new Manifest(this, 'resource', {
      manifest: externalSecretManifest({
        owner: 'AgentTokenExternalSecret',
        name: this.secretName,
        namespace: props.namespace,
        component: 'token-delivery',
        store: props.secretStore ?? DEFAULT_SECRET_STORE,
        refreshInterval: props.refreshInterval ?? Duration.hours(1),
        data,
        annotations: props.annotations,
      }),
      fieldManager: OWNS_ITS_FIELDS,
    });
  }
}
