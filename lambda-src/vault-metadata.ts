import { describeRequestError, httpRequest, RequestTimeoutError } from './http-request';

/**
 * What one metadata check found: when the secret was last written, and when the token it holds was
 * minted, as far as Vault knows (`custom_metadata.minted_at` when `tokens rotate --store` wrote the
 * current version, else the time of the last write); or why it is unknown.
 */
export type MetadataCheck = { readonly ok: true; readonly updatedAt: number; readonly mintedAt: number } | { readonly ok: false; readonly reason: string };

/** The custom_metadata keys `tokens rotate --store` writes beside the token. */
export const MINTED_AT_KEY = 'minted_at';
export const MINTED_VERSION_KEY = 'minted_version';

/** A short, loggable reason for a failed Vault call: never a token, never a body beyond Vault's error words. */
function reasonOf(status: number, body: string): string {
  let errors: unknown;
  try {
    errors = (JSON.parse(body) as { errors?: unknown } | null)?.errors;
  } catch {
    errors = undefined;
  }
  const first = Array.isArray(errors) && typeof errors[0] === 'string' ? errors[0] : '';
  if (status === 503 && /sealed/i.test(first)) return 'sealed';
  if (status === 403) return 'permission_denied';
  if (status === 404) return 'not_found';
  return `http_${status}`;
}

/** Vault's `updated_time` (RFC 3339, nanoseconds) as whole unix seconds. */
export function parseVaultTime(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$/.exec(text);
  if (!match) return undefined;
  const seconds = Date.parse(`${match[1]}${match[3]}`) / 1000;
  return Number.isFinite(seconds) ? seconds : undefined;
}

export interface VaultOptions {
  /** e.g. `https://vault.vault:8200`. */
  readonly address: string;
  readonly timeoutMs: number;
}

/**
 * Kubernetes-auth login (`POST /v1/auth/<mount>/login` with `role` and `jwt`): the Vault token, or why
 * there is none. The token stays in memory and is never logged.
 */
export async function vaultKubernetesLogin(
  vault: VaultOptions,
  login: { authMount: string; role: string; jwt: string },
): Promise<{ ok: true; token: string } | { ok: false; reason: string }> {
  try {
    const answer = await httpRequest(new URL(`${vault.address.replace(/\/+$/, '')}/v1/auth/${login.authMount}/login`), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ role: login.role, jwt: login.jwt }),
      timeoutMs: vault.timeoutMs,
    });
    if (answer.status !== 200) return { ok: false, reason: `login_${reasonOf(answer.status, answer.text)}` };
    const token = (JSON.parse(answer.text) as { auth?: { client_token?: unknown } } | null)?.auth?.client_token;
    return typeof token === 'string' && token !== '' ? { ok: true, token } : { ok: false, reason: 'login_no_token' };
  } catch (error) {
    return { ok: false, reason: `login_${shortReason(error)}` };
  }
}

/** KV v2 metadata read (`GET /v1/<mount>/metadata/<name>`): when the secret was last written. */
export async function readSecretUpdatedTime(vault: VaultOptions, token: string, kvMount: string, name: string): Promise<MetadataCheck> {
  try {
    const answer = await httpRequest(new URL(`${vault.address.replace(/\/+$/, '')}/v1/${kvMount}/metadata/${name}`), {
      method: 'GET',
      headers: { 'x-vault-token': token },
      timeoutMs: vault.timeoutMs,
    });
    if (answer.status !== 200) return { ok: false, reason: reasonOf(answer.status, answer.text) };
    let metadata: { updated_time?: unknown; current_version?: unknown; custom_metadata?: Record<string, unknown> | null } | undefined;
    try {
      metadata = (JSON.parse(answer.text) as { data?: typeof metadata } | null)?.data;
    } catch {
      metadata = undefined;
    }
    const updatedAt = parseVaultTime(metadata?.updated_time);
    if (updatedAt === undefined) return { ok: false, reason: 'no_updated_time' };
    return { ok: true, updatedAt, mintedAt: recordedMint(metadata!) ?? updatedAt };
  } catch (error) {
    return { ok: false, reason: shortReason(error) };
  }
}

/**
 * The mint time `tokens rotate --store` recorded, only if it recorded it for the version Vault holds
 * now: a later write by other means (the Vault CLI) leaves the old record behind, and then the time
 * of that write is the best that is known.
 */
function recordedMint(metadata: { current_version?: unknown; custom_metadata?: Record<string, unknown> | null }): number | undefined {
  const custom = metadata.custom_metadata ?? {};
  if (typeof metadata.current_version !== 'number' || custom[MINTED_VERSION_KEY] !== String(metadata.current_version)) return undefined;
  return parseVaultTime(custom[MINTED_AT_KEY]);
}

/** A failure as a metric-safe reason: `timeout`, or the socket error code. */
function shortReason(error: unknown): string {
  return error instanceof RequestTimeoutError ? 'timeout' : describeRequestError(error);
}
