import { createHash } from 'crypto';
import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
import { JobV1 } from '@cdktf/provider-kubernetes/lib/job-v1';
import { RoleBindingV1 } from '@cdktf/provider-kubernetes/lib/role-binding-v1';
import { RoleV1 } from '@cdktf/provider-kubernetes/lib/role-v1';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { RestartEnv, RestartTarget } from '../lambda-src/contract';
import { Duration } from '../inventory/duration';
import { checkConfigMapData } from './kubernetes-limits';
import { recommendedLabels } from './labels';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from './restricted-pod';
import { ScriptBundle } from './script-bundle';
import { DEFAULT_SCRIPT_IMAGE, ignoredFieldProblem, POD_TEMPLATE_PATH, podTemplateIgnoreChanges, scriptImageProblem } from '../settings/script-pods';

/** The restart Job's name, before the checksum of its content (`claude-oauth-token-restart-<checksum>`). */
export const RESTART_JOB_NAME = 'claude-oauth-token-restart';

export interface AgentRestartJobProps {
  /** The restart program, bundled from `lambda-src/restart-entry.ts` (`bundleScripts().restartAgents`). */
  readonly bundle: ScriptBundle;
  /** Namespace the Job, its ServiceAccount and script run in (the agents'). */
  readonly namespace: string;
  /**
   * Every consumer of the token: each ExternalSecret the Job has ESO sync, and the Deployment or
   * StatefulSet restarted after it (only waited for with Reloader). In any namespace; the Job gets
   * get/patch on exactly these objects, by name, in a Role of each namespace.
   */
  readonly targets: readonly RestartTarget[];
  /**
   * What the primary token's entry is (path and mint time): the Job is named after it, so a deploy
   * that changes it runs the Job once, and any other deploy plans nothing for it.
   */
  readonly primaryEntry: string;
  /** Objects the Job must run after (the ExternalSecret whose annotation changed). */
  readonly dependsOn?: ITerraformDependable[];
  /**
   * How long ESO may take to sync after the Job asks it to.
   * @default Duration.minutes(5)
   */
  readonly syncTimeout?: Duration;
  /**
   * How long the rollout may take.
   * @default Duration.minutes(10)
   */
  readonly rolloutTimeout?: Duration;
  /**
   * A stock Node.js image, fully qualified and pinned.
   * @default DEFAULT_SCRIPT_IMAGE ('docker.io/library/node:22.20.0-alpine3.22')
   */
  readonly image?: string;
  /**
   * More pod-template fields that mutating admission controllers write, for plans to ignore
   * (Terraform attribute paths relative to the pod template); `spec[0].dns_config` always is.
   * @default none beyond dnsConfig
   */
  readonly ignoredPodTemplateFields?: readonly string[];
  /**
   * Name of the Job's ServiceAccount, Role, RoleBinding and script ConfigMap; the Job adds a checksum.
   * @default 'claude-oauth-token-restart'
   */
  readonly name?: string;
}

/**
 * The deploy-time Job that puts the agents on a new primary token: it has ESO sync the token's
 * ExternalSecret, waits for a sync newer than its own start, restarts the agents' Deployment and waits
 * for the rollout; `cdktf deploy` waits for it and fails naming it. Its Role reaches exactly two
 * objects by `resourceNames` (get/patch the ExternalSecret, get/patch the Deployment) and no Secret.
 */
export class AgentRestartJob extends Construct {
  readonly job: JobV1;
  /** A Role per namespace holding a consumer (the Job's own first), each limited to its objects by name. */
  readonly roles: RoleV1[];

  constructor(scope: Construct, id: string, props: AgentRestartJobProps) {
    super(scope, id);
    const name = props.name ?? RESTART_JOB_NAME;
    const syncTimeout = props.syncTimeout ?? Duration.minutes(5);
    const rolloutTimeout = props.rolloutTimeout ?? Duration.minutes(10);
    const image = props.image ?? DEFAULT_SCRIPT_IMAGE;
    const ignoredFields = props.ignoredPodTemplateFields ?? [];
    for (const problem of [scriptImageProblem(image), ...ignoredFields.map(ignoredFieldProblem)]) {
      if (problem) throw new Error(`AgentRestartJob '${name}': ${problem}`);
    }
    if (props.targets.length === 0) throw new Error(`AgentRestartJob '${name}': no targets: give the token's consumers (at least one ExternalSecret and its workload).`);
    const seen = new Set<string>();
    for (const target of props.targets) {
      for (const [what, value] of [
        ['externalSecret.namespace', target.externalSecret.namespace],
        ['externalSecret.name', target.externalSecret.name],
        ['workload.namespace', target.workload.namespace],
        ['workload.name', target.workload.name],
      ] as const) {
        if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(value)) throw new Error(`AgentRestartJob '${name}': ${what} '${value}' is not a Kubernetes object name.`);
      }
      const workload = `${target.workload.kind} ${target.workload.namespace}/${target.workload.name}`;
      if (seen.has(workload)) throw new Error(`AgentRestartJob '${name}': ${workload} is listed twice; list each consumer once.`);
      seen.add(workload);
    }
    const bundle = props.bundle;
    const labels = recommendedLabels(name, 'agent-restart');
    const scriptDir = `/opt/${name}`;

    const scriptData = { 'restart.js': bundle.code };
    checkConfigMapData(`AgentRestartJob '${name}'`, `${name}-script`, scriptData, 'the bundled script is too large to mount: trim what lambda-src imports.');
    const script = new ConfigMapV1(this, 'script', {
      metadata: { name: `${name}-script`, namespace: props.namespace, labels },
      data: scriptData,
    });
    const serviceAccount = new ServiceAccountV1(this, 'service-account', {
      metadata: { name, namespace: props.namespace, labels },
      automountServiceAccountToken: false,
    });
    // One Role per namespace that holds a consumer, reaching exactly its objects by name; the Job's
    // own namespace first (ids 'role'/'role-binding', so Terraform addresses stay as they were).
    const namespaces = [...new Set([props.namespace, ...props.targets.flatMap((target) => [target.externalSecret.namespace, target.workload.namespace])])];
    const bindings: RoleBindingV1[] = [];
    this.roles = [];
    for (const namespace of namespaces) {
      const names = (pick: (target: RestartTarget) => string | undefined) => [...new Set(props.targets.map(pick).filter((value): value is string => value !== undefined))];
      const rules = [
        { apiGroups: ['external-secrets.io'], resources: ['externalsecrets'], resourceNames: names((t) => (t.externalSecret.namespace === namespace ? t.externalSecret.name : undefined)) },
        { apiGroups: ['apps'], resources: ['deployments'], resourceNames: names((t) => (t.workload.namespace === namespace && t.workload.kind === 'Deployment' ? t.workload.name : undefined)) },
        { apiGroups: ['apps'], resources: ['statefulsets'], resourceNames: names((t) => (t.workload.namespace === namespace && t.workload.kind === 'StatefulSet' ? t.workload.name : undefined)) },
      ]
        .filter((rule) => rule.resourceNames.length > 0)
        .map((rule) => ({ ...rule, verbs: ['get', 'patch'] }));
      if (rules.length === 0) continue;
      const suffix = namespace === props.namespace ? '' : `-${namespace}`;
      const role = new RoleV1(this, `role${suffix}`, { metadata: { name, namespace, labels }, rule: rules });
      this.roles.push(role);
      bindings.push(
        new RoleBindingV1(this, `role-binding${suffix}`, {
          metadata: { name, namespace, labels },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name },
          subject: [{ kind: 'ServiceAccount', name: serviceAccount.metadata.name, namespace: props.namespace }],
        }),
      );
    }

    const checksum = createHash('sha256').update(props.primaryEntry).update(bundle.sha256).update(JSON.stringify(props.targets)).digest('hex');
    // The Job syncs and rolls out one consumer after another: its deadline grows with them.
    const externalSecretCount = new Set(props.targets.map((target) => `${target.externalSecret.namespace}/${target.externalSecret.name}`)).size;
    const restartedCount = props.targets.filter((target) => !target.reloader).length;
    const deadlineSeconds = syncTimeout.toSeconds() * externalSecretCount + rolloutTimeout.toSeconds() * restartedCount + 60;
    const timeout = `${deadlineSeconds + 60}s`;
    this.job = new JobV1(this, 'job', {
      metadata: { name: `${name}-${checksum.slice(0, 10)}`, namespace: props.namespace, labels },
      spec: {
        // A retry would restart the agents a second time; a failure is for a person to read.
        backoffLimit: 0,
        activeDeadlineSeconds: deadlineSeconds,
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: serviceAccount.metadata.name,
            // The one pod of this project that talks to the Kubernetes API: it needs its token.
            automountServiceAccountToken: true,
            restartPolicy: 'Never',
            securityContext: restrictedPodSecurityContext(1000),
            container: [
              {
                name: 'restart',
                image,
                command: ['node', `${scriptDir}/restart.js`],
                env: Object.entries({
                  [RestartEnv.targets]: JSON.stringify(props.targets),
                  [RestartEnv.syncTimeoutMs]: String(syncTimeout.toSeconds() * 1000),
                  [RestartEnv.rolloutTimeoutMs]: String(rolloutTimeout.toSeconds() * 1000),
                }).map(([envName, value]) => ({ name: envName, value })),
                volumeMount: [{ name: 'script', mountPath: scriptDir, readOnly: true }],
                securityContext: restrictedContainerSecurityContext(),
                resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '200m', memory: '128Mi' } },
              },
            ],
            volume: [{ name: 'script', configMap: { name: script.metadata.name, defaultMode: '0444' } }],
          },
        },
      },
      waitForCompletion: true,
      timeouts: { create: timeout, update: timeout },
      // A field a webhook adds would otherwise plan a replacement: the agents restarted on every deploy.
      lifecycle: { ignoreChanges: podTemplateIgnoreChanges(POD_TEMPLATE_PATH.job, ignoredFields) },
      dependsOn: [...bindings, ...(props.dependsOn ?? [])],
    });
  }
}
