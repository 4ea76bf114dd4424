/**
 * Writes one field of a KV v2 secret over Vault's HTTP API, as `tokens rotate --store` does: read the
 * secret (its fields and version, or 404 for a path that does not exist yet), merge the new field
 * into its other fields, and write it back with check-and-set against the version read, so a write
 * that happened in between is refused, never overwritten. Then the mint and expiry times go into the
 * secret's custom_metadata. Nothing here ever puts the value in a message.
 */
import { existsSync } from 'fs';
import { homedir } from 'os';
import * as path from 'path';
import { describeRequestError, httpRequest, plainHttpOffLoopback } from '../lambda-src/http-request';
import { MINTED_VERSION_KEY } from '../lambda-src/vault-metadata';
import { VaultSecretLocation } from '../inventory/vault-location';
import { readBoundedFile, UnreadableFileError } from '../inventory/bounded-file';

/** How to reach Vault: `VAULT_ADDR`, and `VAULT_TOKEN` or the Vault CLI's token file. */
export interface VaultConnection {
  readonly address: string;
  readonly token: string;
  readonly namespace?: string;
  readonly ca?: string;
  readonly timeoutMs: number;
}

/** Vault refused, or could not be reached; the message says whether anything was written. */
export class VaultStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VaultStoreError';
  }
}

/**
 * Errors a request meets before any byte of it reaches Vault (no connection, no name, a certificate
 * refused): after them, a write certainly did not happen. After any other failure (a timeout, a reset
 * connection) the write may have been stored.
 */
const NOTHING_SENT = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ERR_TLS_CERT_ALTNAME_INVALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED',
]);

/** The connection the Vault CLI would use, from the environment; a clear error naming what is missing. */
export function vaultConnectionFromEnv(env: Readonly<Record<string, string | undefined>>, home = env.HOME || homedir()): VaultConnection {
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
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new VaultStoreError(`VAULT_ADDR is a ${url.protocol} URL: write Vault's https:// address, e.g. https://vault.example.com:8200.`);
  const tokenFile = path.join(home, '.vault-token');
  const token = env.VAULT_TOKEN || (existsSync(tokenFile) ? readVaultFile(tokenFile, 'the Vault CLI\'s token file ~/.vault-token', 'log in again (vault login), or set VAULT_TOKEN').trim() : '');
  if (!token) throw new VaultStoreError('no Vault token: set VAULT_TOKEN, or log in with the Vault CLI (vault login), which writes ~/.vault-token.');
  if (!/^[\x21-\x7e]+$/.test(token)) {
    throw new VaultStoreError(`the Vault token (${env.VAULT_TOKEN ? 'VAULT_TOKEN' : '~/.vault-token'}) holds a space, line break or unprintable character: set it to the token alone.`);
  }
  const ca = env.VAULT_CACERT ? readVaultFile(env.VAULT_CACERT, `VAULT_CACERT ${env.VAULT_CACERT}`, "point VAULT_CACERT at the PEM file of Vault's CA") : undefined;
  return { address: address.replace(/\/+$/, ''), token, namespace: env.VAULT_NAMESPACE || undefined, ca, timeoutMs: clientTimeoutMs(env.VAULT_CLIENT_TIMEOUT) };
}

/** `VAULT_CLIENT_TIMEOUT` as the Vault CLI reads it (seconds, or `30s`, `2m`); 10 s when unset. */
function clientTimeoutMs(text: string | undefined): number {
  if (text === undefined || text === '') return 10_000;
  const match = /^([1-9][0-9]{0,3})(s|m)?$/.exec(text);
  const seconds = match ? Number(match[1]) * (match[2] === 'm' ? 60 : 1) : 0;
  if (seconds < 1 || seconds > 3600) throw new VaultStoreError(`VAULT_CLIENT_TIMEOUT "${text}" is not a timeout from 1s to 60m: write e.g. 30s or 2m, or unset it (10s).`);
  return seconds * 1000;
}

/** A small file the Vault CLI's settings name, read the one safe way (a FIFO there would hang the run). */
function readVaultFile(file: string, label: string, fix: string): string {
  try {
    return readBoundedFile(file, { label, fix, maxBytes: 1024 * 1024 });
  } catch (error) {
    if (error instanceof UnreadableFileError) throw new VaultStoreError(`${error.message} Nothing was sent to Vault.`);
    throw error;
  }
}

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
    const answer = await httpRequest(new URL(`${vault.address}/v1/${apiPath}`), { method, headers, body: body === undefined ? undefined : JSON.stringify(body), timeoutMs: vault.timeoutMs, ca: vault.ca });
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
