/** Where in Vault (KV v2) the tokens of one agent service live. */
export interface VaultKvLayout {
  /**
   * Mount path of the KV v2 secrets engine.
   * @default 'secret'
   */
  readonly mount?: string;
  /**
   * Secret name of the `primary` token; every other token path `p` lives at `<baseName><spareSeparator><p>`.
   * @default 'claude-agent-service'
   */
  readonly baseName?: string;
  /**
   * What joins the base name and a spare's path: `-` gives `claude-agent-service-spare-1`, `/` a
   * folder under the primary's name (`platform/claude/spare-1`).
   * @default '-'
   */
  readonly spareSeparator?: SpareSeparator;
  /**
   * Field of the secret that holds the token.
   * @default 'claude_oauth_token'
   */
  readonly field?: string;
}

/** The characters a spare's secret name may join the base name with. */
export const SPARE_SEPARATORS = ['-', '_', '.', '/'] as const;
export type SpareSeparator = (typeof SPARE_SEPARATORS)[number];

/** The token that the agents use; every other path is a spare. */
export const PRIMARY_TOKEN_PATH = 'primary';

export const DEFAULT_VAULT_KV_LAYOUT: Required<VaultKvLayout> = {
  mount: 'secret',
  baseName: 'claude-agent-service',
  spareSeparator: '-',
  field: 'claude_oauth_token',
};

/** One token's secret in Vault, in each of the spellings the tools want. */
export interface VaultSecretLocation {
  /** KV v2 mount, e.g. `secret`. */
  readonly mount: string;
  /** Secret name relative to the mount (what ESO's `remoteRef.key` takes), e.g. `claude-agent-service-spare-1`. */
  readonly name: string;
  /** What `vault kv get` takes, e.g. `secret/claude-agent-service-spare-1`. */
  readonly path: string;
  /** HTTP API / policy path of the data, e.g. `secret/data/claude-agent-service-spare-1`. */
  readonly dataPath: string;
  /** HTTP API / policy path of the metadata, e.g. `secret/metadata/claude-agent-service-spare-1`. */
  readonly metadataPath: string;
  /** Field holding the token, e.g. `claude_oauth_token`. */
  readonly field: string;
}

export function vaultSecretLocation(tokenPath: string, layout: VaultKvLayout = {}): VaultSecretLocation {
  // Field by field: a layout that spells out `undefined` keeps the default (a spread would not).
  const mount = layout.mount ?? DEFAULT_VAULT_KV_LAYOUT.mount;
  const baseName = layout.baseName ?? DEFAULT_VAULT_KV_LAYOUT.baseName;
  const field = layout.field ?? DEFAULT_VAULT_KV_LAYOUT.field;
  const separator = layout.spareSeparator ?? DEFAULT_VAULT_KV_LAYOUT.spareSeparator;
  const name = tokenPath === PRIMARY_TOKEN_PATH ? baseName : `${baseName}${separator}${tokenPath}`;
  return {
    mount,
    name,
    path: `${mount}/${name}`,
    dataPath: `${mount}/data/${name}`,
    metadataPath: `${mount}/metadata/${name}`,
    field,
  };
}
