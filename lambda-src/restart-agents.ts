import { readFileSync } from 'fs';
import {
  DEFAULT_K8S_API_URL,
  DEFAULT_K8S_CA_FILE,
  DEFAULT_K8S_TOKEN_FILE,
  DEFAULT_POLL_INTERVAL_MS,
  DEFAULT_ROLLOUT_TIMEOUT_MS,
  DEFAULT_SYNC_TIMEOUT_MS,
  RESTARTED_AT_ANNOTATION,
  RestartEnv,
  RestartExit,
  SYNC_REQUESTED_ANNOTATION,
} from './contract';
import { readEnvInteger, ScriptEnv } from './env-number';
import { describeRequestError, httpRequest, plainHttpOffLoopback } from './http-request';

export interface RestartIo {
  readonly env: ScriptEnv;
  /** One JSON line per run. */
  readonly log: (line: string) => void;
}

/** A failure with the exit code and the `event` it is logged as. */
class RestartFailure extends Error {
  constructor(
    readonly exitCode: number,
    readonly event: string,
    message: string,
  ) {
    super(message);
  }
}

interface Settings {
  readonly apiUrl: string;
  readonly token: string;
  readonly ca?: string;
  readonly namespace: string;
  readonly externalSecret: string;
  readonly deployment: string;
  readonly syncTimeoutMs: number;
  readonly rolloutTimeoutMs: number;
  readonly pollIntervalMs: number;
  readonly requestTimeoutMs: number;
}

/**
 * After a rotation of the primary token: has ESO sync the token's ExternalSecret now (an annotation
 * change), waits until ESO reports a successful sync newer than this run's start, then restarts the
 * agents' Deployment (the `kubectl rollout restart` annotation) and waits for the rollout. It reads
 * the ExternalSecret's status and the Deployment, never the Secret. Returns the exit code.
 */
export async function runRestart(io: RestartIo): Promise<number> {
  const startedMs = Date.now();
  const log = (level: 'info' | 'error', fields: Record<string, unknown>) =>
    io.log(JSON.stringify({ level, job: 'claude-oauth-token-restart', ...fields, duration_ms: Date.now() - startedMs }));
  let settings: Settings;
  try {
    settings = readSettings(io.env);
  } catch (error) {
    log('error', { event: 'invalid_input', error: (error as Error).message });
    return RestartExit.invalidInput;
  }
  const api = kubernetesApi(settings);
  const where = { namespace: settings.namespace, external_secret: settings.externalSecret, deployment: settings.deployment };
  try {
    const requestedAt = new Date(startedMs).toISOString();
    await api.patch(externalSecretPath(settings), { metadata: { annotations: { [SYNC_REQUESTED_ANNOTATION]: requestedAt } } }, 'application/merge-patch+json');
    const syncedAt = await waitForSync(api, settings, startedMs);
    await api.patch(
      deploymentPath(settings),
      { spec: { template: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: new Date().toISOString() } } } } },
      'application/strategic-merge-patch+json',
    );
    const replicas = await waitForRollout(api, settings);
    log('info', { event: 'restarted', ...where, synced_at: syncedAt, replicas });
    return RestartExit.ok;
  } catch (error) {
    if (!(error instanceof RestartFailure)) throw error;
    log('error', { event: error.event, ...where, error: error.message });
    return error.exitCode;
  }
}

function readSettings(env: ScriptEnv): Settings {
  const problems: string[] = [];
  const required = (name: string): string => {
    const value = env[name];
    if (!value) problems.push(`${name} is not set.`);
    return value ?? '';
  };
  const apiUrl = env[RestartEnv.apiUrl] || DEFAULT_K8S_API_URL;
  if (!/^https?:\/\/[^\s/?#]+$/.test(apiUrl.replace(/\/+$/, '')) || plainHttpOffLoopback(apiUrl)) {
    problems.push(`${RestartEnv.apiUrl} ${JSON.stringify(apiUrl)} must be an https base URL (plain http on loopback only).`);
  }
  const tokenFile = env[RestartEnv.tokenFile] || DEFAULT_K8S_TOKEN_FILE;
  let token = '';
  try {
    token = readFileSync(tokenFile, 'utf8').trim();
  } catch (error) {
    problems.push(`cannot read the ServiceAccount token ${tokenFile} (${(error as NodeJS.ErrnoException).code ?? 'error'}): the pod needs its token mounted.`);
  }
  let ca: string | undefined;
  if (apiUrl.startsWith('https:')) {
    try {
      ca = readFileSync(env[RestartEnv.caFile] || DEFAULT_K8S_CA_FILE, 'utf8');
    } catch {
      ca = undefined; // the system's CAs then
    }
  }
  const settings: Settings = {
    apiUrl: apiUrl.replace(/\/+$/, ''),
    token,
    ca,
    namespace: required(RestartEnv.namespace),
    externalSecret: required(RestartEnv.externalSecret),
    deployment: required(RestartEnv.deployment),
    syncTimeoutMs: readEnvInteger(env, RestartEnv.syncTimeoutMs, { fallback: DEFAULT_SYNC_TIMEOUT_MS, max: 3_600_000 }, problems),
    rolloutTimeoutMs: readEnvInteger(env, RestartEnv.rolloutTimeoutMs, { fallback: DEFAULT_ROLLOUT_TIMEOUT_MS, max: 3_600_000 }, problems),
    pollIntervalMs: readEnvInteger(env, RestartEnv.pollIntervalMs, { fallback: DEFAULT_POLL_INTERVAL_MS, max: 60_000 }, problems),
    requestTimeoutMs: readEnvInteger(env, RestartEnv.requestTimeoutMs, { fallback: 10_000, max: 60_000 }, problems),
  };
  if (problems.length > 0) throw new Error(problems.join(' '));
  return settings;
}

const externalSecretPath = (s: Settings) => `/apis/external-secrets.io/v1/namespaces/${s.namespace}/externalsecrets/${s.externalSecret}`;
const deploymentPath = (s: Settings) => `/apis/apps/v1/namespaces/${s.namespace}/deployments/${s.deployment}`;

/** The fields of an ExternalSecret this script reads; the API may leave any of them out. */
interface ExternalSecretObject {
  readonly status?: {
    readonly refreshTime?: string;
    readonly conditions?: ReadonlyArray<{ readonly type?: string; readonly status?: string; readonly reason?: string; readonly message?: string }>;
  };
}

/** The fields of a Deployment this script reads. */
interface DeploymentObject {
  readonly metadata?: { readonly generation?: number };
  readonly spec?: { readonly replicas?: number };
  readonly status?: { readonly observedGeneration?: number; readonly updatedReplicas?: number; readonly replicas?: number; readonly availableReplicas?: number };
}

interface KubernetesApi {
  /** The object at `path`, as JSON; the caller names the fields it reads. */
  get<T>(path: string): Promise<T>;
  patch(path: string, body: unknown, contentType: string): Promise<void>;
}

function kubernetesApi(settings: Settings): KubernetesApi {
  const call = async (method: 'GET' | 'PATCH', path: string, body?: string, contentType?: string): Promise<unknown> => {
    let answer;
    try {
      answer = await httpRequest(new URL(`${settings.apiUrl}${path}`), {
        method,
        headers: { authorization: `Bearer ${settings.token}`, accept: 'application/json', ...(contentType ? { 'content-type': contentType } : {}) },
        body,
        timeoutMs: settings.requestTimeoutMs,
        ca: settings.ca,
      });
    } catch (error) {
      throw new RestartFailure(RestartExit.apiFailed, 'api_unreachable', `${method} ${path}: ${describeRequestError(error)}`);
    }
    if (answer.status < 200 || answer.status >= 300) {
      let reason = '';
      try {
        const message = (JSON.parse(answer.text) as { message?: unknown } | null)?.message;
        reason = typeof message === 'string' ? message : '';
      } catch {
        // Not JSON (a proxy's page): the status says enough.
      }
      const hint = answer.status === 403 ? ' (the Job\'s Role allows exactly this object: check the names in the settings)' : answer.status === 404 ? ' (no such object: check the names in the settings)' : '';
      throw new RestartFailure(RestartExit.apiFailed, `api_${answer.status}`, `${method} ${path}: HTTP ${answer.status}${reason ? `: ${reason.slice(0, 200)}` : ''}${hint}`);
    }
    return answer.text ? (JSON.parse(answer.text) as unknown) : {};
  };
  return {
    get: async <T>(path: string) => (await call('GET', path)) as T,
    patch: async (path, body, contentType) => {
      await call('PATCH', path, JSON.stringify(body), contentType);
    },
  };
}

/** Polls the ExternalSecret until ESO reports a sync at or after `sinceMs` (Ready True), or fails. */
async function waitForSync(api: KubernetesApi, settings: Settings, sinceMs: number): Promise<string> {
  const deadline = Date.now() + settings.syncTimeoutMs;
  const sinceSeconds = Math.floor(sinceMs / 1000) * 1000; // ESO's refreshTime has whole seconds
  for (;;) {
    const status = (await api.get<ExternalSecretObject>(externalSecretPath(settings))).status ?? {};
    const refreshedMs = status.refreshTime ? Date.parse(status.refreshTime) : NaN;
    const ready = (status.conditions ?? []).find((condition) => condition.type === 'Ready');
    if (refreshedMs >= sinceSeconds && ready) {
      if (ready.status === 'True') return status.refreshTime!;
      throw new RestartFailure(RestartExit.syncFailed, 'sync_failed', `ESO could not sync ${settings.externalSecret}: ${ready.reason ?? ''} ${ready.message ?? ''}`.trim());
    }
    if (Date.now() + settings.pollIntervalMs > deadline) {
      throw new RestartFailure(
        RestartExit.syncFailed,
        'sync_timeout',
        `ESO did not sync ${settings.externalSecret} within ${settings.syncTimeoutMs / 1000}s of this run's start (last refresh ${status.refreshTime ?? 'never'}); the agents were not restarted.`,
      );
    }
    await sleep(settings.pollIntervalMs);
  }
}

/** Polls the Deployment until every replica runs the new pod template, or fails. */
async function waitForRollout(api: KubernetesApi, settings: Settings): Promise<number> {
  const deadline = Date.now() + settings.rolloutTimeoutMs;
  for (;;) {
    const deployment = await api.get<DeploymentObject>(deploymentPath(settings));
    const wanted = deployment.spec?.replicas ?? 1;
    const status = deployment.status ?? {};
    const done =
      (status.observedGeneration ?? 0) >= (deployment.metadata?.generation ?? 0) &&
      (status.updatedReplicas ?? 0) === wanted &&
      (status.replicas ?? 0) === wanted &&
      (status.availableReplicas ?? 0) === wanted;
    if (done) return wanted;
    if (Date.now() + settings.pollIntervalMs > deadline) {
      throw new RestartFailure(
        RestartExit.rolloutFailed,
        'rollout_timeout',
        `${settings.deployment} did not finish rolling out within ${settings.rolloutTimeoutMs / 1000}s (updated ${status.updatedReplicas ?? 0}, available ${status.availableReplicas ?? 0} of ${wanted}): kubectl -n ${settings.namespace} rollout status deployment/${settings.deployment}`,
      );
    }
    await sleep(settings.pollIntervalMs);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
