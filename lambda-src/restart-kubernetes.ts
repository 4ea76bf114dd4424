/**
 * The restart Job's calls to the Kubernetes API: ask ESO to sync, wait for the sync, restart a
 * workload and wait for its rollout. Reads ExternalSecret status and workloads, never a Secret.
 */
import { RestartExit, RestartTarget } from './contract';
import { describeRequestError, httpRequest } from './http-request';
import { RestartSettings } from './restart-settings';

/** A failure with the exit code and the `event` it is logged as. */
export class RestartFailure extends Error {
  constructor(
    readonly exitCode: number,
    readonly event: string,
    message: string,
  ) {
    super(message);
  }
}

export const externalSecretPath = (t: RestartTarget) => `/apis/external-secrets.io/v1/namespaces/${t.externalSecret.namespace}/externalsecrets/${t.externalSecret.name}`;
export const workloadPath = (t: RestartTarget) => `/apis/apps/v1/namespaces/${t.workload.namespace}/${t.workload.kind === 'Deployment' ? 'deployments' : 'statefulsets'}/${t.workload.name}`;

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

export interface KubernetesApi {
  /** The object at `path`, as JSON; the caller names the fields it reads. */
  get<T>(path: string): Promise<T>;
  patch(path: string, body: unknown, contentType: string): Promise<void>;
}

export function kubernetesApi(settings: RestartSettings): KubernetesApi {
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
export async function waitForSync(api: KubernetesApi, settings: RestartSettings, target: RestartTarget, sinceMs: number): Promise<string> {
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
export async function waitForRollout(api: KubernetesApi, settings: RestartSettings, target: RestartTarget): Promise<number> {
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
