import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { Construct } from 'constructs';
import { VaultSecretLocation } from '../inventory/vault-location';
import { Duration } from './duration';
import { DEFAULT_SECRET_STORE, ExternalSecretEntry, externalSecretManifest, SecretStoreReference } from './external-secret-manifest';

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
  /**
   * Read the file from Infisical instead, where the older service kept it base64-encoded; it is
   * decoded into the Secret key by an ExternalSecret template.
   * @default from Vault
   */
  readonly infisical?: InfisicalCredentialsSource;
}

/** Where the older service kept `.credentials.json` in Infisical. */
export interface InfisicalCredentialsSource {
  /** The ESO store for Infisical (its `secretsScope` picks project and environment). */
  readonly store: SecretStoreReference;
  /**
   * Folder of the secret in the Infisical project.
   * @default '/agentic-platform/claude'
   */
  readonly path?: string;
  /**
   * Name of the secret holding the base64 of the file.
   * @default 'CREDENTIALS_JSON_B64'
   */
  readonly key?: string;
}

export const DEFAULT_AGENT_SECRET_NAME = 'claude-agent-secrets';
/** Intermediate key of the base64 file read from Infisical; the template keeps it out of the Secret. */
const LEGACY_BASE64_KEY = 'credentials_json_b64';

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
    const tokenKey = props.tokenSecretKey ?? 'CLAUDE_CODE_OAUTH_TOKEN';
    const data: ExternalSecretEntry[] = [{ secretKey: tokenKey, key: props.token.name, property: props.token.field }];
    let template: Record<string, string> | undefined;
    if (legacy?.infisical) {
      const { store, path = '/agentic-platform/claude', key = 'CREDENTIALS_JSON_B64' } = legacy.infisical;
      data.push({ secretKey: LEGACY_BASE64_KEY, key: `${path.replace(/\/+$/, '')}/${key}`, store });
      // The token passes through unchanged; the base64 is decoded so that pods mount plain JSON.
      template = { [tokenKey]: `{{ .${tokenKey} }}`, [legacy.secretKey ?? '.credentials.json']: `{{ .${LEGACY_BASE64_KEY} | b64dec }}` };
    } else if (legacy) {
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
        template,
      }),
    });
  }
}
