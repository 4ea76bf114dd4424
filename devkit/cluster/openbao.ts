import { randomBytes } from 'crypto';
import { readFileSync } from 'fs';
import { freePort } from '../real-binaries';
import { thirdPartyProgram } from '../third-party';
import { ControlPlane, SERVICE_ACCOUNT_ISSUER } from './control-plane';
import { ClusterProcess, startProcess, waitFor } from './processes';

/** The real OpenBao dev server on loopback: KV v2 at `secret/`, in memory. */
export interface OpenBao {
  readonly address: string;
  /** The dev server's root token: random per run, never written to a file. */
  readonly rootToken: string;
  readonly process: ClusterProcess;
  /** Calls Vault's HTTP API with `token` (default the root token): status and parsed body. */
  api(method: string, apiPath: string, body?: unknown, token?: string): Promise<{ status: number; body: { errors?: string[]; data?: unknown; auth?: { client_token: string; policies: string[] } } }>;
}

/** Starts `bao server -dev` on a free loopback port, logging into `dir`. */
export async function startOpenBao(dir: string): Promise<OpenBao> {
  const port = await freePort();
  const rootToken = `root-${randomBytes(12).toString('hex')}`;
  const address = `http://127.0.0.1:${port}`;
  const proc = startProcess('openbao', thirdPartyProgram('bao'), ['server', '-dev', `-dev-listen-address=127.0.0.1:${port}`, '-dev-no-store-token'], dir, {
    ...process.env,
    // The root token by environment, not argv: nothing secret on a command line, even a test's.
    BAO_DEV_ROOT_TOKEN_ID: rootToken,
    HOME: dir,
  });
  const api: OpenBao['api'] = async (method, apiPath, body, token = rootToken) => {
    const response = await fetch(`${address}/v1/${apiPath}`, {
      method,
      headers: { 'X-Vault-Token': token, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Awaited<ReturnType<OpenBao['api']>>['body']) : {} };
  };
  await waitFor('OpenBao unsealed', async () => ((await api('GET', 'sys/health')).status === 200 ? true : undefined), 60_000, () => proc.log());
  return { address, rootToken, process: proc, api };
}

/**
 * Enables Kubernetes auth at `mount`, validating ServiceAccount tokens against `cluster` through
 * TokenReview, as a token reviewer with `system:auth-delegator` (the way a real Vault is set up).
 */
export async function enableKubernetesAuth(bao: OpenBao, cluster: ControlPlane, mount = 'kubernetes'): Promise<void> {
  cluster.kubectl(['create', 'namespace', 'openbao']);
  cluster.kubectl(['create', 'serviceaccount', 'token-reviewer', '-n', 'openbao']);
  cluster.kubectl(['create', 'clusterrolebinding', 'openbao-token-reviewer', '--clusterrole=system:auth-delegator', '--serviceaccount=openbao:token-reviewer']);
  const reviewerJwt = cluster.kubectl(['create', 'token', 'token-reviewer', '-n', 'openbao', '--duration=2h']).stdout.trim();
  const enabled = await bao.api('POST', `sys/auth/${mount}`, { type: 'kubernetes' });
  if (enabled.status >= 300) throw new Error(`enabling auth/${mount}: ${enabled.status} ${JSON.stringify(enabled.body)}`);
  const configured = await bao.api('POST', `auth/${mount}/config`, {
    kubernetes_host: cluster.server,
    kubernetes_ca_cert: readFileSync(cluster.pki.caCert, 'utf8'),
    token_reviewer_jwt: reviewerJwt,
    issuer: SERVICE_ACCOUNT_ISSUER,
  });
  if (configured.status >= 300) throw new Error(`configuring auth/${mount}: ${configured.status} ${JSON.stringify(configured.body)}`);
}

/** Logs in to `mount` with `role` as a ServiceAccount's token: the client token, or the refusal. */
export async function kubernetesLogin(bao: OpenBao, role: string, jwt: string, mount = 'kubernetes'): Promise<{ status: number; token?: string; policies?: string[]; errors?: string[] }> {
  const login = await bao.api('POST', `auth/${mount}/login`, { role, jwt }, '');
  return { status: login.status, token: login.body.auth?.client_token, policies: login.body.auth?.policies, errors: login.body.errors };
}
