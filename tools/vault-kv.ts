/**
 * Writes one field of a KV v2 secret over Vault's HTTP API, as `tokens rotate --store` does: read the
 * secret (its fields and version, or 404 for a path that does not exist yet), merge the new field
 * into its other fields, and write it back with check-and-set against the version read, so a write
 * that happened in between is refused, never overwritten. Then the mint and expiry times go into the
 * secret's custom_metadata. Nothing here ever puts the value in a message.
 */
import { describeRequestError, httpRequest } from '../lambda-src/http-request';
import { MINTED_VERSION_KEY } from '../lambda-src/vault-metadata';
import { VaultSecretLocation } from '../inventory/vault-location';
import { VaultConnection, VaultStoreError } from './vault-connection';


/**
 * Errors a request meets before any byte of it reaches Vault (no connection, no name, a certificate
 * refused): after them, a write certainly did not happen. After any other failure (a timeout, a reset
 * connection) the write may have been stored.
 */
const NOTHING_SENT = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ERR_TLS_CERT_ALTNAME_INVALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED',
]);

interface KvRead {
  readonly exists: boolean;
  readonly version: number;
  readonly data: Record<string, unknown>;
  readonly customMetadata: Record<string, string>;
}

/**
 * One request to Vault. `json` is undefined when the answer is not JSON. A request that fails is
 * {@link VaultStoreError}: for a read, "nothing was written"; for a write (`writing` says what),
 * "nothing was written" only when it certainly never reached Vault, otherwise the outcome is unknown.
 */
async function call(vault: VaultConnection, method: 'GET' | 'POST', apiPath: string, body?: unknown, writing?: string) {
  const headers: Record<string, string> = { 'x-vault-token': vault.token, 'content-type': 'application/json', ...(vault.namespace ? { 'x-vault-namespace': vault.namespace } : {}) };
  try {
    const answer = await httpRequest(new URL(`${vault.address}/v1/${apiPath}`), { method, headers, body: body === undefined ? undefined : JSON.stringify(body), timeoutMs: vault.timeoutMs, ca: vault.ca, clientCertificate: vault.clientCertificate });
    let json: unknown;
    try {
      json = answer.text ? JSON.parse(answer.text) : {};
    } catch {
      json = undefined;
    }
    const object = typeof json === 'object' && json !== null && !Array.isArray(json);
    return { status: answer.status, json: (object ? json : {}) as { data?: Record<string, unknown>; errors?: unknown[] }, isJson: object };
  } catch (error) {
    const reason = describeRequestError(error);
    if (writing === undefined || NOTHING_SENT.has(reason)) throw new VaultStoreError(`Vault at ${vault.address} did not answer (${reason}): nothing was written.`);
    throw new VaultStoreError(
      `Vault at ${vault.address} did not answer the write of ${writing} (${reason}): whether it stored the token is unknown. ` +
        `Look (vault kv metadata get ${writing}): if its newest version was created just now, it was stored; otherwise run this again.`,
    );
  }
}

/** Whether a read's answer has KV v2's shape: `data.data` and `data.metadata.version` on 200, an `errors` list on 404. */
function kvV2Shaped(status: number, json: { data?: Record<string, unknown>; errors?: unknown[] }): boolean {
  if (status === 404) return Array.isArray(json.errors) || typeof json.data === 'object';
  const data = json.data as { data?: unknown; metadata?: { version?: unknown } } | undefined;
  return typeof data?.data === 'object' && data.data !== null && typeof data.metadata?.version === 'number';
}

/** Vault's own reason, shown as text (Vault's messages never hold the value written). */
function reasonOf(json: { errors?: unknown[] }): string {
  return (json.errors ?? []).map(String).join('; ') || 'no reason given';
}

async function readSecret(vault: VaultConnection, secret: VaultSecretLocation): Promise<KvRead> {
  const { status, json, isJson } = await call(vault, 'GET', secret.dataPath);
  if (!isJson || ((status === 200 || status === 404) && !kvV2Shaped(status, json))) {
    throw new VaultStoreError(
      `the answer to reading ${secret.path} (${status}) is not the JSON a KV version 2 mount answers with: check that VAULT_ADDR is Vault's address ` +
        `and that ${secret.path.split('/')[0]} is a KV v2 mount (vault secrets list -detailed). Nothing was written.`,
    );
  }
  const metadata = (json.data?.metadata ?? {}) as { version?: number; custom_metadata?: Record<string, string> | null };
  if (status === 404) {
    // A path never written answers 404 with no metadata; one whose latest version was deleted, 404 with it.
    return { exists: false, version: typeof metadata.version === 'number' ? metadata.version : 0, data: {}, customMetadata: metadata.custom_metadata ?? {} };
  }
  if (status === 403) throw new VaultStoreError(`Vault refused to read ${secret.path} (403 ${reasonOf(json)}): the token's policy needs read and create/update on ${secret.dataPath}. Nothing was written.`);
  if (status !== 200) throw new VaultStoreError(`Vault answered ${status} reading ${secret.path} (${reasonOf(json)}): nothing was written.`);
  return {
    exists: true,
    version: metadata.version ?? 0,
    data: (json.data?.data ?? {}) as Record<string, unknown>,
    customMetadata: metadata.custom_metadata ?? {},
  };
}

/**
 * Before anything is asked of the operator: Vault answers at this address, with this token, lets it
 * read `secret` (a new path reads as 404, which is fine) and, by its own account
 * (`sys/capabilities-self`), write it. Throws {@link VaultStoreError} otherwise, so an unreachable or
 * forbidden Vault is found before the paste and the probe, not after them. A Vault that will not say
 * (an older one, a policy without the default) is not held against the run: the write then decides.
 */
export async function checkSecretWritable(vault: VaultConnection, secret: VaultSecretLocation): Promise<void> {
  const current = await readSecret(vault, secret);
  const { status, json } = await call(vault, 'POST', 'sys/capabilities-self', { paths: [secret.dataPath] });
  const capabilities = (json as Record<string, unknown>)[secret.dataPath] ?? (json as { capabilities?: unknown }).capabilities;
  if (status !== 200 || !Array.isArray(capabilities)) return;
  const needed = current.exists ? 'update' : 'create';
  if (!capabilities.includes(needed) && !capabilities.includes('root')) {
    throw new VaultStoreError(
      `the Vault token may not ${needed} ${secret.path} (its capabilities there: ${capabilities.map(String).join(', ') || 'none'}): ` +
        `its policy needs ${needed} on ${secret.dataPath}. Nothing was written.`,
    );
  }
}

/** What one store did: the version written, and the one it replaced (0 when the path was new). */
export interface StoredVersion {
  readonly version: number;
  readonly previousVersion: number;
  readonly created: boolean;
  /** Set when the token was stored but its custom_metadata was not: what to run by hand. */
  readonly metadataProblem?: string;
}

/**
 * Sets `secret`'s field to `value`, keeping its other fields, with check-and-set on the version read,
 * then merges `customMetadata`, and the version it describes (`minted_version`), into the secret's metadata. Throws {@link VaultStoreError} when nothing
 * was written; a metadata write that fails after the data write is reported in the result instead.
 */
export async function storeSecretField(vault: VaultConnection, secret: VaultSecretLocation, value: string, customMetadata: Record<string, string>): Promise<StoredVersion> {
  const current = await readSecret(vault, secret);
  const { status, json } = await call(vault, 'POST', secret.dataPath, { options: { cas: current.version }, data: { ...current.data, [secret.field]: value } }, secret.path);
  if (status === 400 && /check-and-set/i.test(reasonOf(json))) {
    throw new VaultStoreError(
      `${secret.path} changed in Vault while this run was writing it (check-and-set against version ${current.version} refused): someone else wrote it just now. ` +
        'Nothing was written by this run; look at the secret (vault kv metadata get) and run this again.',
    );
  }
  if (status === 403) throw new VaultStoreError(`Vault refused to write ${secret.path} (403 ${reasonOf(json)}): the token's policy needs create and update on ${secret.dataPath}. Nothing was written.`);
  if (status !== 200 && status !== 204) throw new VaultStoreError(`Vault answered ${status} writing ${secret.path} (${reasonOf(json)}): nothing was written.`);
  const version = Number((json.data as { version?: number } | undefined)?.version ?? current.version + 1);
  // Which version the record describes: the monitor trusts minted_at only while it is the current one.
  const recorded = { ...customMetadata, [MINTED_VERSION_KEY]: String(version) };
  const byHand = `vault kv metadata put ${Object.entries(recorded).map(([key, item]) => `-custom-metadata=${key}=${item}`).join(' ')} ${secret.path}`;
  let metadataProblem: string | undefined;
  try {
    const metadata = await call(vault, 'POST', secret.metadataPath, { custom_metadata: { ...current.customMetadata, ...recorded } }, `${secret.path}'s metadata`);
    if (metadata.status !== 200 && metadata.status !== 204) metadataProblem = `its custom_metadata was not written (${metadata.status} ${reasonOf(metadata.json)}); set it by hand: ${byHand}`;
  } catch (error) {
    // The token is stored by now: a lost answer here must not read as "nothing was written".
    metadataProblem = `whether its custom_metadata was written is unknown (${(error as Error).message.split(': ')[0]}); look, or set it by hand: ${byHand}`;
  }
  return { version, previousVersion: current.version, created: !current.exists, metadataProblem };
}
