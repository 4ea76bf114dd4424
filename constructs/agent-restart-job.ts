import { createHash } from 'crypto';
import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
import { JobV1 } from '@cdktf/provider-kubernetes/lib/job-v1';
import { RoleBindingV1 } from '@cdktf/provider-kubernetes/lib/role-binding-v1';
import { RoleV1 } from '@cdktf/provider-kubernetes/lib/role-v1';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { RestartEnv } from '../lambda-src/contract';
import { Duration } from '../inventory/duration';
import { checkConfigMapData } from './kubernetes-limits';
import { recommendedLabels } from './labels';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from './restricted-pod';
import { ScriptBundle } from './script-bundle';
import { DEFAULT_SCRIPT_IMAGE, ignoredFieldProblem, POD_TEMPLATE_PATH, podTemplateIgnoreChanges, scriptImageProblem } from '../settings/script-pods';

export interface AgentRestartJobProps {
  /** The restart program, bundled from `lambda-src/restart-entry.ts` (`bundleScripts().restartAgents`). */
  readonly bundle: ScriptBundle;
  /** Namespace of the agents, their Deployment and the token's ExternalSecret. */
  readonly namespace: string;
  /** The token's ExternalSecret, whose sync the Job waits for. */
  readonly externalSecretName: string;
  /** The agents' Deployment, restarted once ESO has synced. */
  readonly deploymentName: string;
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
  readonly role: RoleV1;

  constructor(scope: Construct, id: string, props: AgentRestartJobProps) {
    super(scope, id);
    const name = props.name ?? 'claude-oauth-token-restart';
    const syncTimeout = props.syncTimeout ?? Duration.minutes(5);
    const rolloutTimeout = props.rolloutTimeout ?? Duration.minutes(10);
    const image = props.image ?? DEFAULT_SCRIPT_IMAGE;
    const ignoredFields = props.ignoredPodTemplateFields ?? [];
    for (const problem of [scriptImageProblem(image), ...ignoredFields.map(ignoredFieldProblem)]) {
      if (problem) throw new Error(`AgentRestartJob '${name}': ${problem}`);
    }
    for (const [what, value] of [
      ['externalSecretName', props.externalSecretName],
      ['deploymentName', props.deploymentName],
    ] as const) {
      if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(value)) throw new Error(`AgentRestartJob '${name}': ${what} '${value}' is not a Kubernetes object name.`);
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
    this.role = new RoleV1(this, 'role', {
      metadata: { name, namespace: props.namespace, labels },
      rule: [
        { apiGroups: ['external-secrets.io'], resources: ['externalsecrets'], resourceNames: [props.externalSecretName], verbs: ['get', 'patch'] },
        { apiGroups: ['apps'], resources: ['deployments'], resourceNames: [props.deploymentName], verbs: ['get', 'patch'] },
      ],
    });
    const binding = new RoleBindingV1(this, 'role-binding', {
      metadata: { name, namespace: props.namespace, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: this.role.metadata.name },
      subject: [{ kind: 'ServiceAccount', name: serviceAccount.metadata.name, namespace: props.namespace }],
    });

    const checksum = createHash('sha256').update(props.primaryEntry).update(bundle.sha256).update(props.externalSecretName).update(props.deploymentName).digest('hex');
    const deadlineSeconds = syncTimeout.toSeconds() + rolloutTimeout.toSeconds() + 60;
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
                  [RestartEnv.namespace]: props.namespace,
                  [RestartEnv.externalSecret]: props.externalSecretName,
                  [RestartEnv.deployment]: props.deploymentName,
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
      dependsOn: [binding, ...(props.dependsOn ?? [])],
    });
  }
}
