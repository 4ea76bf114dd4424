/**
 * Writes one field of a KV v2 secret over Vault's HTTP API, as `tokens rotate --store` does: read the
 * secret (its fields and version, or 404 for a path that does not exist yet), merge the new field
 * into its other fields, and write it back with check-and-set against the version read, so a write
 * that happened in between is refused, never overwritten. Then the mint and expiry times go into the
 * secret's custom_metadata. Nothing here ever puts the value in a message.
 */
import { existsSync, readFileSync } from 'fs';
import { homedir } from 'os';
import * as path from 'path';
import { describeRequestError, httpRequest, plainHttpOffLoopback } from '../lambda-src/http-request';
import { VaultSecretLocation } from '../inventory/vault-location';

/** How to reach Vault: `VAULT_ADDR`, and `VAULT_TOKEN` or the Vault CLI's token file. */
export interface VaultConnection {
  readonly address: string;
  readonly token: string;
  readonly namespace?: string;
  readonly ca?: string;
  readonly timeoutMs: number;
}

/** Vault refused, or could not be reached: nothing was written (unless `written` says otherwise). */
export class VaultStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VaultStoreError';
  }
}

/** The connection the Vault CLI would use, from the environment; a clear error naming what is missing. */
export function vaultConnectionFromEnv(env: Readonly<Record<string, string | undefined>>, home = homedir()): VaultConnection {
  const address = env.VAULT_ADDR;
  if (!address) throw new VaultStoreError('VAULT_ADDR is not set: export it (e.g. https://vault.example.com:8200) as for the Vault CLI.');
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new VaultStoreError('VAULT_ADDR is not a URL: write e.g. https://vault.example.com:8200.');
  }
  if (url.username || url.password) throw new VaultStoreError('VAULT_ADDR holds a user or password: remove them; the Vault token comes from VAULT_TOKEN or ~/.vault-token.');
  if (plainHttpOffLoopback(address)) {
    throw new VaultStoreError(`VAULT_ADDR ${url.origin} is plain http: the Vault token and the new OAuth token would travel in clear. Use https (or a port-forward to 127.0.0.1).`);
  }
  const tokenFile = path.join(home, '.vault-token');
  const token = env.VAULT_TOKEN || (existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : '');
  if (!token) throw new VaultStoreError('no Vault token: set VAULT_TOKEN, or log in with the Vault CLI (vault login), which writes ~/.vault-token.');
  const ca = env.VAULT_CACERT ? readFileSync(env.VAULT_CACERT, 'utf8') : undefined;
  return { address: address.replace(/\/+$/, ''), token, namespace: env.VAULT_NAMESPACE || undefined, ca, timeoutMs: 10_000 };
}

interface KvRead {
  readonly exists: boolean;
  readonly version: number;
  readonly data: Record<string, unknown>;
  readonly customMetadata: Record<string, string>;
}

async function call(vault: VaultConnection, method: 'GET' | 'POST', apiPath: string, body?: unknown) {
  const headers: Record<string, string> = { 'x-vault-token': vault.token, 'content-type': 'application/json', ...(vault.namespace ? { 'x-vault-namespace': vault.namespace } : {}) };
  try {
    const answer = await httpRequest(new URL(`${vault.address}/v1/${apiPath}`), { method, headers, body: body === undefined ? undefined : JSON.stringify(body), timeoutMs: vault.timeoutMs, ca: vault.ca });
    let json: unknown;
    try {
      json = answer.text ? JSON.parse(answer.text) : {};
    } catch {
      json = {};
    }
    return { status: answer.status, json: json as { data?: Record<string, unknown>; errors?: unknown[] } };
  } catch (error) {
    throw new VaultStoreError(`Vault at ${vault.address} did not answer (${describeRequestError(error)}): nothing was written.`);
  }
}

/** Vault's own reason, shown as text (Vault's messages never hold the value written). */
function reasonOf(json: { errors?: unknown[] }): string {
  return (json.errors ?? []).map(String).join('; ') || 'no reason given';
}

async function readSecret(vault: VaultConnection, secret: VaultSecretLocation): Promise<KvRead> {
  const { status, json } = await call(vault, 'GET', secret.dataPath);
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
 * Before anything is asked of the operator: Vault answers at this address, with this token, and lets
 * it read `secret` (a new path reads as 404, which is fine). Throws {@link VaultStoreError} otherwise,
 * so an unreachable or forbidden Vault is found before the paste and the probe, not after them.
 */
export async function checkSecretReadable(vault: VaultConnection, secret: VaultSecretLocation): Promise<void> {
  await readSecret(vault, secret);
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
 * then merges `customMetadata` into the secret's metadata. Throws {@link VaultStoreError} when nothing
 * was written; a metadata write that fails after the data write is reported in the result instead.
 */
export async function storeSecretField(vault: VaultConnection, secret: VaultSecretLocation, value: string, customMetadata: Record<string, string>): Promise<StoredVersion> {
  const current = await readSecret(vault, secret);
  const { status, json } = await call(vault, 'POST', secret.dataPath, { options: { cas: current.version }, data: { ...current.data, [secret.field]: value } });
  if (status === 400 && /check-and-set/i.test(reasonOf(json))) {
    throw new VaultStoreError(
      `${secret.path} changed in Vault while this run was writing it (check-and-set against version ${current.version} refused): someone else wrote it just now. ` +
        'Nothing was written by this run; look at the secret (vault kv metadata get) and run this again.',
    );
  }
  if (status === 403) throw new VaultStoreError(`Vault refused to write ${secret.path} (403 ${reasonOf(json)}): the token's policy needs create and update on ${secret.dataPath}. Nothing was written.`);
  if (status !== 200 && status !== 204) throw new VaultStoreError(`Vault answered ${status} writing ${secret.path} (${reasonOf(json)}): nothing was written.`);
  const version = Number((json.data as { version?: number } | undefined)?.version ?? current.version + 1);
  const metadata = await call(vault, 'POST', secret.metadataPath, { custom_metadata: { ...current.customMetadata, ...customMetadata } });
  const metadataProblem =
    metadata.status === 200 || metadata.status === 204
      ? undefined
      : `its custom_metadata was not written (${metadata.status} ${reasonOf(metadata.json)}); set it by hand: ` +
        `vault kv metadata put ${Object.entries(customMetadata).map(([key, item]) => `-custom-metadata=${key}=${item}`).join(' ')} ${secret.path}`;
  return { version, previousVersion: current.version, created: !current.exists, metadataProblem };
}
