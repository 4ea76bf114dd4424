import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { Construct } from 'constructs';
import { VaultSecretLocation } from '../inventory/vault-location';
import { Duration } from './duration';
import { DEFAULT_SECRET_STORE, externalSecretManifest, SecretStoreReference } from './external-secret-manifest';

export type { SecretStoreReference } from './external-secret-manifest';

/** The older `~/.claude/.credentials.json` login, still mounted by pods as a fallback. */
export interface LegacyCredentialsFile {
  /**
   * Key of the Kubernetes Secret that pods mount as `~/.claude/.credentials.json`.
   * @default '.credentials.json'
   */
  readonly secretKey?: string;
  /**
   * Field of the primary token's Vault secret holding the file's JSON.
   * @default 'credentials_json'
   */
  readonly vaultProperty?: string;
}

export const DEFAULT_AGENT_SECRET_NAME = 'claude-agent-secrets';

export interface ClaudeAgentExternalSecretProps {
  /** Namespace of the ExternalSecret and of the Secret it creates. */
  readonly namespace: string;
  /** The Vault secret of the token the agents use (the inventory's `primary.vault`). */
  readonly token: VaultSecretLocation;
  /**
   * Name of the ExternalSecret and of the Kubernetes Secret it creates.
   * @default 'claude-agent-secrets'
   */
  readonly name?: string;
  /**
   * The store ESO reads through. Its Vault provider must have `path` set to the KV v2 mount
   * (`token.mount`), since `remoteRef.key` is relative to it.
   * @default ClusterSecretStore 'vault-backend'
   */
  readonly secretStore?: SecretStoreReference;
  /**
   * How often ESO re-reads Vault: the longest a rotated token takes to reach the Secret.
   * @default Duration.hours(1)
   */
  readonly refreshInterval?: Duration;
  /**
   * Secret key that carries the token; pods load it as this environment variable.
   * @default 'CLAUDE_CODE_OAUTH_TOKEN'
   */
  readonly tokenSecretKey?: string;
  /**
   * Also deliver the older `.credentials.json` login file. `false` drops the key (the plan once
   * the long-lived token has run cleanly for a while).
   * @default delivered, as `.credentials.json` from Vault field `credentials_json`
   */
  readonly legacyCredentials?: LegacyCredentialsFile | false;
}

/**
 * The ExternalSecret (`external-secrets.io/v1`) that has ESO copy the agents' token from Vault into
 * the Kubernetes Secret the pods read. It never holds the token itself: only where to find it.
 */
export class ClaudeAgentExternalSecret extends Construct {
  /** Name of the ExternalSecret and of the Secret it owns. */
  readonly secretName: string;
  readonly resource: Manifest;

  constructor(scope: Construct, id: string, props: ClaudeAgentExternalSecretProps) {
    super(scope, id);
    this.secretName = props.name ?? DEFAULT_AGENT_SECRET_NAME;
    const legacy = props.legacyCredentials === false ? undefined : props.legacyCredentials ?? {};
    const data = [{ secretKey: props.tokenSecretKey ?? 'CLAUDE_CODE_OAUTH_TOKEN', key: props.token.name, property: props.token.field }];
    if (legacy) {
      data.push({ secretKey: legacy.secretKey ?? '.credentials.json', key: props.token.name, property: legacy.vaultProperty ?? 'credentials_json' });
    }
    this.resource = new Manifest(this, 'resource', {
      manifest: externalSecretManifest({
        owner: 'ClaudeAgentExternalSecret',
        name: this.secretName,
        namespace: props.namespace,
        component: 'token-delivery',
        store: props.secretStore ?? DEFAULT_SECRET_STORE,
        refreshInterval: props.refreshInterval ?? Duration.hours(1),
        data,
      }),
    });
  }
}
