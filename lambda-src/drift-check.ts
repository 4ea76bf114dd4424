import { readBoundedFile } from '../inventory/bounded-file';
import { SPARE_SEPARATORS, vaultSecretLocation } from '../inventory/vault-location';
import { DEFAULT_VAULT_AUTH_MOUNT, DEFAULT_VAULT_JWT_FILE, DEFAULT_VAULT_TIMEOUT_MS, DriftEnv, PATH_LABEL } from './contract';
import { readEnvInteger } from './env-number';
import { plainHttpOffCluster } from './http-request';
import { Sample } from './exposition';
import { MetadataCheck, readSecretUpdatedTime, vaultKubernetesLogin } from './vault-metadata';


export interface DriftResult {
  readonly path: string;
  readonly check: MetadataCheck;
}

/**
 * When `VAULT_ADDR` is set: logs in with the projected ServiceAccount token and reads each token
 * secret's KV v2 metadata. Never throws: Vault down, sealed, 403 or 404 become a failed check per
 * path, and the expiry push goes on regardless. Returns undefined when drift detection is off.
 */
export async function checkVaultDrift(env: Readonly<Record<string, string | undefined>>, paths: readonly string[]): Promise<DriftResult[] | undefined> {
  const address = env[DriftEnv.vaultAddr];
  if (!address) return undefined;
  const failAll = (reason: string): DriftResult[] => paths.map((path) => ({ path, check: { ok: false, reason } }));
  // The login presents the pod's ServiceAccount token: never in clear beyond the cluster's network.
  if (plainHttpOffCluster(address)) return failAll('plain_http_refused');
  const problems: string[] = [];
  const vault = { address, timeoutMs: readEnvInteger(env, DriftEnv.timeoutMs, { fallback: DEFAULT_VAULT_TIMEOUT_MS, max: 60_000 }, problems) };
  if (problems.length > 0) return failAll('invalid_timeout');
  let jwt: string;
  try {
    // Bounded and non-blocking: a FIFO mounted there must not stop the pushes that follow.
    jwt = readBoundedFile(env[DriftEnv.jwtFile] || DEFAULT_VAULT_JWT_FILE, { label: 'the ServiceAccount token', fix: 'mount it', maxBytes: 64 * 1024 }).trim();
  } catch {
    return failAll('no_service_account_token');
  }
  const login = await vaultKubernetesLogin(vault, { authMount: env[DriftEnv.authMount] || DEFAULT_VAULT_AUTH_MOUNT, role: env[DriftEnv.role] || '', jwt });
  if (!login.ok) return failAll(login.reason);
  const separator = env[DriftEnv.spareSeparator];
  const layout = {
    mount: env[DriftEnv.kvMount] || undefined,
    baseName: env[DriftEnv.baseName] || undefined,
    spareSeparator: SPARE_SEPARATORS.find((known) => known === separator),
  };
  const results: DriftResult[] = [];
  for (const path of paths) {
    const location = vaultSecretLocation(path, layout);
    results.push({ path, check: await readSecretUpdatedTime(vault, login.token, location.mount, location.name) });
  }
  return results;
}

/** The drift samples: updated time where known, and success 1/0 for every path. */
export function driftSamples(results: readonly DriftResult[]): { updated: Sample[]; minted: Sample[]; success: Sample[] } {
  return {
    updated: results.flatMap(({ path, check }) => (check.ok ? [{ labels: { [PATH_LABEL]: path }, value: check.updatedAt }] : [])),
    minted: results.flatMap(({ path, check }) => (check.ok ? [{ labels: { [PATH_LABEL]: path }, value: check.mintedAt }] : [])),
    success: results.map(({ path, check }) => ({ labels: { [PATH_LABEL]: path }, value: check.ok ? 1 : 0 })),
  };
}

