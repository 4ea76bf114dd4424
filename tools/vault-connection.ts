/**
 * How `tokens rotate --store` reaches Vault: the connection the Vault CLI would use, read from the same
 * environment (`VAULT_ADDR`, `VAULT_TOKEN` or ~/.vault-token, `VAULT_NAMESPACE`, `VAULT_CACERT`,
 * `VAULT_CAPATH`, `VAULT_CLIENT_CERT`/`KEY`, `VAULT_CLIENT_TIMEOUT`), each file read the one safe way,
 * every mistake named before any request is sent.
 */
import { existsSync, readdirSync } from 'fs';
import { homedir } from 'os';
import * as path from 'path';
import { describeFileError, readBoundedFile, UnreadableFileError } from '../inventory/bounded-file';
import { plainHttpOffLoopback } from '../lambda-src/http-request';

/** How to reach Vault: `VAULT_ADDR`, and `VAULT_TOKEN` or the Vault CLI's token file. */
export interface VaultConnection {
  readonly address: string;
  readonly token: string;
  readonly namespace?: string;
  readonly ca?: string;
  /** `VAULT_CLIENT_CERT` and `VAULT_CLIENT_KEY`, for a Vault that asks for a client certificate. */
  readonly clientCertificate?: { readonly cert: string; readonly key: string };
  readonly timeoutMs: number;
}

/** Vault refused, or could not be reached; the message says whether anything was written. */
export class VaultStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VaultStoreError';
  }
}

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
  if (env.VAULT_SKIP_VERIFY && !/^(0|false)$/i.test(env.VAULT_SKIP_VERIFY)) {
    throw new VaultStoreError("VAULT_SKIP_VERIFY is set: rotate --store always verifies Vault's certificate, since the token travels to it. Unset it, and set VAULT_CACERT (or VAULT_CAPATH) to Vault's CA.");
  }
  return {
    address: address.replace(/\/+$/, ''),
    token,
    namespace: env.VAULT_NAMESPACE || undefined,
    ca: certificateAuthorities(env),
    clientCertificate: clientCertificate(env),
    timeoutMs: clientTimeoutMs(env.VAULT_CLIENT_TIMEOUT),
  };
}

/** `VAULT_CACERT` (one PEM file) and `VAULT_CAPATH` (a folder of them), as the Vault CLI reads them; unset means the system's CAs. */
function certificateAuthorities(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const files = env.VAULT_CACERT ? [env.VAULT_CACERT] : [];
  if (env.VAULT_CAPATH) {
    let names: string[];
    try {
      names = readdirSync(env.VAULT_CAPATH).filter((name) => /\.(pem|crt)$/i.test(name)).sort();
    } catch (error) {
      throw new VaultStoreError(`VAULT_CAPATH ${env.VAULT_CAPATH} ${describeFileError(error)}: point it at a folder of PEM files of Vault's CA. Nothing was sent to Vault.`);
    }
    if (names.length === 0) throw new VaultStoreError(`VAULT_CAPATH ${env.VAULT_CAPATH} holds no .pem or .crt file: point it at a folder of PEM files of Vault's CA. Nothing was sent to Vault.`);
    files.push(...names.map((name) => path.join(env.VAULT_CAPATH!, name)));
  }
  if (files.length === 0) return undefined;
  return files.map((file) => readVaultFile(file, file === env.VAULT_CACERT ? `VAULT_CACERT ${file}` : `VAULT_CAPATH's ${file}`, "point it at a PEM file of Vault's CA")).join('\n');
}

/** `VAULT_CLIENT_CERT` and `VAULT_CLIENT_KEY`: both or neither. */
function clientCertificate(env: Readonly<Record<string, string | undefined>>): VaultConnection['clientCertificate'] {
  const [certFile, keyFile] = [env.VAULT_CLIENT_CERT, env.VAULT_CLIENT_KEY];
  if (!certFile && !keyFile) return undefined;
  if (!certFile || !keyFile) throw new VaultStoreError(`${certFile ? 'VAULT_CLIENT_KEY' : 'VAULT_CLIENT_CERT'} is not set, but ${certFile ? 'VAULT_CLIENT_CERT' : 'VAULT_CLIENT_KEY'} is: set both (the client certificate and its key), or neither.`);
  return {
    cert: readVaultFile(certFile, `VAULT_CLIENT_CERT ${certFile}`, 'point it at the PEM client certificate'),
    key: readVaultFile(keyFile, `VAULT_CLIENT_KEY ${keyFile}`, 'point it at the PEM key of that certificate'),
  };
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
