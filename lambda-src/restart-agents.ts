import { RESTARTED_AT_ANNOTATION, RestartExit, RestartTarget, SYNC_REQUESTED_ANNOTATION } from './contract';
import { ScriptEnv } from './env-number';
import { externalSecretPath, kubernetesApi, RestartFailure, waitForRollout, waitForSync, workloadPath } from './restart-kubernetes';
import { readRestartSettings, RestartSettings } from './restart-settings';

export interface RestartIo {
  readonly env: ScriptEnv;
  /** One JSON line per run. */
  readonly log: (line: string) => void;
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
  let settings: RestartSettings;
  try {
    settings = readRestartSettings(io.env);
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
