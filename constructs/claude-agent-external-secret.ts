import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { Construct } from 'constructs';
import { VaultSecretLocation } from '../inventory/vault-location';
import { Duration } from './duration';
import { recommendedLabels } from './labels';

/** The ESO store that can read the tokens' Vault mount. */
export interface SecretStoreReference {
  /** Name of the store. */
  readonly name: string;
  /** `ClusterSecretStore` (any namespace may use it) or `SecretStore` (same namespace only). */
  readonly kind: 'ClusterSecretStore' | 'SecretStore';
}

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

/** Secret keys must be usable as file names and environment variable names. */
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

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
    this.secretName = props.name ?? 'claude-agent-secrets';
    const store = props.secretStore ?? { name: 'vault-backend', kind: 'ClusterSecretStore' };
    const refreshInterval = props.refreshInterval ?? Duration.hours(1);
    const tokenSecretKey = props.tokenSecretKey ?? 'CLAUDE_CODE_OAUTH_TOKEN';
    const legacy = props.legacyCredentials === false ? undefined : props.legacyCredentials ?? {};

    if (refreshInterval.toSeconds() < 60) {
      throw new Error(
        `ClaudeAgentExternalSecret '${this.secretName}': refreshInterval ${refreshInterval.toDurationString()} would have ESO ` +
          'hammer Vault; use at least Duration.minutes(1).',
      );
    }
    const data = [{ secretKey: tokenSecretKey, property: props.token.field }];
    if (legacy) {
      data.push({ secretKey: legacy.secretKey ?? '.credentials.json', property: legacy.vaultProperty ?? 'credentials_json' });
    }
    for (const { secretKey } of data) {
      if (!SECRET_KEY.test(secretKey)) {
        throw new Error(
          `ClaudeAgentExternalSecret '${this.secretName}': secret key '${secretKey}' is not a valid Secret key; ` +
            "use only letters, digits, '-', '_' and '.'.",
        );
      }
    }
    if (new Set(data.map((entry) => entry.secretKey)).size !== data.length) {
      throw new Error(
        `ClaudeAgentExternalSecret '${this.secretName}': the token and the legacy credentials file both use secret key ` +
          `'${tokenSecretKey}'; give legacyCredentials.secretKey another name.`,
      );
    }

    this.resource = new Manifest(this, 'resource', {
      manifest: {
        apiVersion: 'external-secrets.io/v1',
        kind: 'ExternalSecret',
        metadata: {
          name: this.secretName,
          namespace: props.namespace,
          labels: recommendedLabels(this.secretName, 'token-delivery'),
        },
        spec: {
          refreshInterval: refreshInterval.toDurationString(),
          secretStoreRef: { name: store.name, kind: store.kind },
          // Defaults spelled out: what the API server would add must already be in the plan.
          target: { name: this.secretName, creationPolicy: 'Owner', deletionPolicy: 'Retain' },
          data: data.map(({ secretKey, property }) => ({
            secretKey,
            remoteRef: { key: props.token.name, property },
          })),
        },
      },
    });
  }
}
