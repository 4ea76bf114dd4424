/**
 * The restart Job's settings, from its environment: the API server, its own ServiceAccount token (read
 * the one safe way), the consumers to move, and the timeouts. Every mistake named at once.
 */
import { readBoundedFile } from '../inventory/bounded-file';
import {
  DEFAULT_K8S_API_URL,
  DEFAULT_K8S_CA_FILE,
  DEFAULT_K8S_TOKEN_FILE,
  DEFAULT_POLL_INTERVAL_MS,
  DEFAULT_ROLLOUT_TIMEOUT_MS,
  DEFAULT_SYNC_TIMEOUT_MS,
  RestartEnv,
  RestartTarget,
} from './contract';
import { readEnvInteger, ScriptEnv } from './env-number';
import { plainHttpOffLoopback } from './http-request';

export interface RestartSettings {
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


export function readRestartSettings(env: ScriptEnv): RestartSettings {
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
  const settings: RestartSettings = {
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
