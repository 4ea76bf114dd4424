import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { Construct } from 'constructs';
import { VaultSecretLocation } from '../inventory/vault-location';
import { Duration } from '../inventory/duration';
import { DEFAULT_SECRET_STORE, externalSecretManifest, OWNS_ITS_FIELDS, SecretStoreReference } from './external-secret-manifest';

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

export interface LegacyCredentialsExternalSecretProps {
  /** Namespace of the ExternalSecret and of its Secret. */
  readonly namespace: string;
  /** The primary token's Vault secret, whose `vaultProperty` field holds the file (unless `infisical`). */
  readonly vaultSecret: VaultSecretLocation;
  /**
   * Name of the ExternalSecret and of the Secret the pods mount.
   * @default 'claude-credentials'
   */
  readonly name?: string;
  /**
   * Field of the Vault secret holding the file's JSON.
   * @default 'claude_credentials_json'
   */
  readonly vaultProperty?: string;
  /**
   * Key of the Secret, i.e. the file name in the mounted volume.
   * @default '.credentials.json'
   */
  readonly secretKey?: string;
  /**
   * Read the file from Infisical instead, where the older service kept it base64-encoded; an
   * ExternalSecret template decodes it so that pods still mount plain JSON.
   * @default from Vault
   */
  readonly infisical?: InfisicalCredentialsSource;
  /**
   * The store for the Vault field.
   * @default ClusterSecretStore 'vault-kv'
   */
  readonly secretStore?: SecretStoreReference;
  /**
   * How often ESO re-reads it.
   * @default Duration.hours(1)
   */
  readonly refreshInterval?: Duration;
}

/** Intermediate key of the base64 file read from Infisical; the template keeps it out of the Secret. */
const BASE64_KEY = 'credentials_json_b64';

/**
 * The older `~/.claude/.credentials.json` login (an 8-hour token, `expiresAt` in milliseconds), still
 * mounted by the agents as a fallback, in an ExternalSecret of its own: ESO fails a whole
 * ExternalSecret when one entry fails, so a missing legacy field must never share one with the token.
 */
export class LegacyCredentialsExternalSecret extends Construct {
  readonly secretName: string;
  readonly resource: Manifest;

  constructor(scope: Construct, id: string, props: LegacyCredentialsExternalSecretProps) {
    super(scope, id);
    this.secretName = props.name ?? 'claude-credentials';
    const secretKey = props.secretKey ?? '.credentials.json';
    const common = {
      owner: 'LegacyCredentialsExternalSecret',
      name: this.secretName,
      namespace: props.namespace,
      component: 'legacy-credentials',
      refreshInterval: props.refreshInterval ?? Duration.hours(1),
    };
    let manifest: Record<string, unknown>;
    if (props.infisical) {
      const { store, path = '/agentic-platform/claude', key = 'CREDENTIALS_JSON_B64' } = props.infisical;
      manifest = externalSecretManifest({
        ...common,
        store,
        data: [{ secretKey: BASE64_KEY, key: `${path.replace(/\/+$/, '')}/${key}` }],
        template: { [secretKey]: `{{ .${BASE64_KEY} | b64dec }}` },
      });
    } else {
      manifest = externalSecretManifest({
        ...common,
        store: props.secretStore ?? DEFAULT_SECRET_STORE,
        data: [{ secretKey, key: props.vaultSecret.name, property: props.vaultProperty ?? 'claude_credentials_json' }],
      });
    }
    this.resource = new Manifest(this, 'resource', { manifest, fieldManager: OWNS_ITS_FIELDS });
  }
}
