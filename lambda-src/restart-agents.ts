import { readBoundedFile } from '../inventory/bounded-file';
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
  RestartTarget,
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
  /** Every consumer; the first is the agents' own (its names go into the log's top-level fields). */
  readonly targets: readonly RestartTarget[];
  readonly syncTimeoutMs: number;
  readonly rolloutTimeoutMs: number;
  readonly pollIntervalMs: number;
  readonly requestTimeoutMs: number;
}

/**
 * After a rotation of the primary token: has ESO sync every consumer's ExternalSecret now (an
 * annotation change), waits until ESO reports a successful sync newer than this run's start, then
 * restarts each consumer's Deployment or StatefulSet (the `kubectl rollout restart` annotation;
 * a workload with Reloader is only waited for) and waits for the rollouts. Every consumer is tried;
 * the run fails naming each one that did not move. It reads ExternalSecret status and workloads,
 * never a Secret. Returns the exit code.
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
  const [first] = settings.targets;
  const where = { namespace: first.workload.namespace, external_secret: first.externalSecret.name, deployment: first.workload.name };
  const failures: { consumer: string; failure: RestartFailure }[] = [];
  const consumerOf = (target: RestartTarget) => `${target.workload.kind} ${target.workload.namespace}/${target.workload.name}`;
  const attempt = async (targets: readonly RestartTarget[], step: (target: RestartTarget) => Promise<unknown>) => {
    const done: RestartTarget[] = [];
    for (const target of targets) {
      try {
        await step(target);
        done.push(target);
      } catch (error) {
        if (!(error instanceof RestartFailure)) throw error;
        failures.push({ consumer: consumerOf(target), failure: error });
      }
    }
    return done;
  };

  const requestedAt = new Date(startedMs).toISOString();
  const syncsOf = new Map<string, Promise<string>>();
  // One sync request and one wait per ExternalSecret, however many consumers it feeds.
  const synced = await attempt(settings.targets, (target) => {
    const key = externalSecretPath(target);
    if (!syncsOf.has(key)) {
      syncsOf.set(
        key,
        api
          .patch(key, { metadata: { annotations: { [SYNC_REQUESTED_ANNOTATION]: requestedAt } } }, 'application/merge-patch+json')
          .then(() => waitForSync(api, settings, target, startedMs)),
      );
    }
    return syncsOf.get(key)!;
  });
  const restarted = await attempt(
    synced.filter((target) => !target.reloader),
    (target) =>
      api.patch(
        workloadPath(target),
        { spec: { template: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: new Date().toISOString() } } } } },
        'application/strategic-merge-patch+json',
      ),
  );
  const replicas = new Map<RestartTarget, number>();
  await attempt(restarted, async (target) => replicas.set(target, await waitForRollout(api, settings, target)));

  const consumers = settings.targets.map((target) => ({
    consumer: consumerOf(target),
    moved: !failures.some(({ consumer }) => consumer === consumerOf(target)),
    ...(target.reloader ? { reloader: true } : {}),
  }));
  if (failures.length > 0) {
    const { failure } = failures[0];
    log('error', {
      event: failure.event,
      ...where,
      error: failures.map(({ consumer, failure: each }) => `${consumer}: ${each.message}`).join(' | '),
      not_moved: failures.map(({ consumer }) => consumer),
      consumers,
    });
    return failure.exitCode;
  }
  log('info', { event: 'restarted', ...where, synced_at: await syncsOf.get(externalSecretPath(first)), replicas: replicas.get(first) ?? 0, consumers });
  return RestartExit.ok;
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
    token = readBoundedFile(tokenFile, { label: `the ServiceAccount token ${tokenFile}`, fix: 'the pod needs its token mounted', maxBytes: 64 * 1024 }).trim();
  } catch (error) {
    problems.push((error as Error).message);
  }
  let ca: string | undefined;
  if (apiUrl.startsWith('https:')) {
    try {
      ca = readBoundedFile(env[RestartEnv.caFile] || DEFAULT_K8S_CA_FILE, { label: 'the cluster CA', fix: 'mount it', maxBytes: 1024 * 1024 });
    } catch {
      ca = undefined; // the system's CAs then
    }
  }
  const settings: Settings = {
    apiUrl: apiUrl.replace(/\/+$/, ''),
    token,
    ca,
    targets: env[RestartEnv.targets]
      ? readTargets(env[RestartEnv.targets]!, problems)
      : [
          {
            externalSecret: { namespace: required(RestartEnv.namespace), name: required(RestartEnv.externalSecret) },
            workload: { kind: 'Deployment', namespace: env[RestartEnv.namespace] ?? '', name: required(RestartEnv.deployment) },
          },
        ],
    syncTimeoutMs: readEnvInteger(env, RestartEnv.syncTimeoutMs, { fallback: DEFAULT_SYNC_TIMEOUT_MS, max: 3_600_000 }, problems),
    rolloutTimeoutMs: readEnvInteger(env, RestartEnv.rolloutTimeoutMs, { fallback: DEFAULT_ROLLOUT_TIMEOUT_MS, max: 3_600_000 }, problems),
    pollIntervalMs: readEnvInteger(env, RestartEnv.pollIntervalMs, { fallback: DEFAULT_POLL_INTERVAL_MS, max: 60_000 }, problems),
    requestTimeoutMs: readEnvInteger(env, RestartEnv.requestTimeoutMs, { fallback: 10_000, max: 60_000 }, problems),
  };
  if (problems.length > 0) throw new Error(problems.join(' '));
  return settings;
}

const OBJECT_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** `RESTART_TARGETS` read and checked: names the API could hold, a known kind, at least one. */
function readTargets(text: string, problems: string[]): RestartTarget[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    problems.push(`${RestartEnv.targets} is not JSON.`);
    return [];
  }
  const isRef = (ref: unknown): ref is { namespace: string; name: string } =>
    typeof ref === 'object' && ref !== null && OBJECT_NAME.test(String((ref as Record<string, unknown>).namespace)) && OBJECT_NAME.test(String((ref as Record<string, unknown>).name));
  const targets = Array.isArray(parsed) ? (parsed as RestartTarget[]) : [];
  const valid = targets.length > 0 && targets.every((target) => isRef(target?.externalSecret) && isRef(target?.workload) && ['Deployment', 'StatefulSet'].includes(target.workload.kind));
  if (!valid) problems.push(`${RestartEnv.targets} must be a non-empty list of {externalSecret: {namespace, name}, workload: {kind: Deployment|StatefulSet, namespace, name}}.`);
  return valid ? targets : [];
}

const externalSecretPath = (t: RestartTarget) => `/apis/external-secrets.io/v1/namespaces/${t.externalSecret.namespace}/externalsecrets/${t.externalSecret.name}`;
const workloadPath = (t: RestartTarget) => `/apis/apps/v1/namespaces/${t.workload.namespace}/${t.workload.kind === 'Deployment' ? 'deployments' : 'statefulsets'}/${t.workload.name}`;

/** The fields of an ExternalSecret this script reads; the API may leave any of them out. */
interface ExternalSecretObject {
  readonly status?: {
    readonly refreshTime?: string;
    readonly conditions?: ReadonlyArray<{ readonly type?: string; readonly status?: string; readonly reason?: string; readonly message?: string }>;
  };
}

/** The fields of a Deployment or StatefulSet this script reads. */
interface WorkloadObject {
  readonly metadata?: { readonly generation?: number };
  readonly spec?: { readonly replicas?: number };
  readonly status?: {
    readonly observedGeneration?: number;
    readonly updatedReplicas?: number;
    readonly replicas?: number;
    readonly availableReplicas?: number;
    readonly readyReplicas?: number;
    /** StatefulSet: the revision pods are at, and the one they move to. */
    readonly currentRevision?: string;
    readonly updateRevision?: string;
  };
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
async function waitForSync(api: KubernetesApi, settings: Settings, target: RestartTarget, sinceMs: number): Promise<string> {
  const deadline = Date.now() + settings.syncTimeoutMs;
  const sinceSeconds = Math.floor(sinceMs / 1000) * 1000; // ESO's refreshTime has whole seconds
  const externalSecret = target.externalSecret.name;
  for (;;) {
    const status = (await api.get<ExternalSecretObject>(externalSecretPath(target))).status ?? {};
    const refreshedMs = status.refreshTime ? Date.parse(status.refreshTime) : NaN;
    const ready = (status.conditions ?? []).find((condition) => condition.type === 'Ready');
    if (refreshedMs >= sinceSeconds && ready) {
      if (ready.status === 'True') return status.refreshTime!;
      throw new RestartFailure(RestartExit.syncFailed, 'sync_failed', `ESO could not sync ${externalSecret}: ${ready.reason ?? ''} ${ready.message ?? ''}`.trim());
    }
    if (Date.now() + settings.pollIntervalMs > deadline) {
      throw new RestartFailure(
        RestartExit.syncFailed,
        'sync_timeout',
        `ESO did not sync ${externalSecret} within ${settings.syncTimeoutMs / 1000}s of this run's start (last refresh ${status.refreshTime ?? 'never'}); the agents were not restarted.`,
      );
    }
    await sleep(settings.pollIntervalMs);
  }
}

/** Polls the workload until every replica runs the new pod template (as `kubectl rollout status` judges), or fails. */
async function waitForRollout(api: KubernetesApi, settings: Settings, target: RestartTarget): Promise<number> {
  const deadline = Date.now() + settings.rolloutTimeoutMs;
  const { kind, namespace, name } = target.workload;
  for (;;) {
    const workload = await api.get<WorkloadObject>(workloadPath(target));
    const wanted = workload.spec?.replicas ?? 1;
    const status = workload.status ?? {};
    const observed = (status.observedGeneration ?? 0) >= (workload.metadata?.generation ?? 0);
    const done =
      kind === 'Deployment'
        ? observed && (status.updatedReplicas ?? 0) === wanted && (status.replicas ?? 0) === wanted && (status.availableReplicas ?? 0) === wanted
        : observed && (status.updatedReplicas ?? 0) === wanted && (status.readyReplicas ?? 0) === wanted && status.currentRevision === status.updateRevision;
    if (done) return wanted;
    if (Date.now() + settings.pollIntervalMs > deadline) {
      throw new RestartFailure(
        RestartExit.rolloutFailed,
        'rollout_timeout',
        `${name} did not finish rolling out within ${settings.rolloutTimeoutMs / 1000}s (updated ${status.updatedReplicas ?? 0}, available ${status.availableReplicas ?? status.readyReplicas ?? 0} of ${wanted}): kubectl -n ${namespace} rollout status ${kind.toLowerCase()}/${name}`,
      );
    }
    await sleep(settings.pollIntervalMs);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
