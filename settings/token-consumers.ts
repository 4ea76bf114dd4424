import { RestartTarget } from '../lambda-src/contract';
import { labelName } from './destinations';
import { Check, object } from './setting-checks';
import { AgentWorkloadSetting, AppSettings } from './settings-model';
import { DEDICATED_TOKEN_SECRET_NAME, SHARED_AGENT_SECRET_NAME } from './object-names';

/** The ExternalSecret (and Secret) that delivers the token: a Secret of its own, or the agents' shared one. */
export function tokenExternalSecretName(settings: Pick<AppSettings, 'tokenDelivery'>): string {
  return settings.tokenDelivery === 'shared' ? SHARED_AGENT_SECRET_NAME : DEDICATED_TOKEN_SECRET_NAME;
}

/**
 * Every consumer a deploy that changes `primary` moves onto the new token: the agents' Deployment
 * (`agentWorkload`, fed by this project's ExternalSecret), then `tokenConsumers`. What the restart
 * Job is given, and what `tokens rotate` and `check` say it will restart.
 */
export function tokenConsumersOf(settings: Pick<AppSettings, 'agentWorkload' | 'tokenConsumers' | 'namespace' | 'tokenDelivery'>): RestartTarget[] {
  const externalSecret = tokenExternalSecretName(settings);
  return [
    ...(settings.agentWorkload
      ? [{ externalSecret: { namespace: settings.namespace, name: externalSecret }, workload: { ...settings.agentWorkload, namespace: settings.namespace } }]
      : []),
    ...settings.tokenConsumers,
  ];
}

/** One line a person reads: which workloads are restarted, and which only waited for (Reloader). */
export function describeConsumers(consumers: readonly RestartTarget[]): string {
  const name = (consumer: RestartTarget) => `${consumer.workload.kind.toLowerCase()}/${consumer.workload.name} in ${consumer.workload.namespace}`;
  const restarted = consumers.filter((consumer) => !consumer.reloader).map(name);
  const reloaded = consumers.filter((consumer) => consumer.reloader).map(name);
  return `restarts ${restarted.join(', ') || 'nothing'}, waiting for each rollout${reloaded.length > 0 ? `; for ${reloaded.join(', ')} (Reloader restarts it) it waits for the sync only` : ''}`;
}

/** `agentWorkload`: `{"deployment": <name>}`, `{"statefulSet": <name>}`, or false (restart nothing of the agents'). */
export const agentWorkload: Check<AgentWorkloadSetting> = (value, at, problems) => {
  if (value === false) return undefined;
  const example = '{"deployment": "claude-agent-service"}, {"statefulSet": "claude-agent"} or false';
  const parsed = object<{ deployment: string; statefulSet: string }>(
    { deployment: labelName("the agents' Deployment", 'claude-agent-service'), statefulSet: labelName("the agents' StatefulSet", 'claude-agent') },
    example,
    ['deployment', 'statefulSet'],
  )(value, at, problems);
  if (!parsed) return undefined;
  if ((parsed.deployment === undefined) === (parsed.statefulSet === undefined)) {
    problems.push(`${at}: name one workload, ${example}.`);
    return undefined;
  }
  return parsed.deployment !== undefined ? { kind: 'Deployment', name: parsed.deployment } : { kind: 'StatefulSet', name: parsed.statefulSet };
};
