import { ProjectStack } from '../project-stack';
import { Construct } from 'constructs';
import { AgentRestartJob, AgentRestartJobProps } from '../../constructs/agent-restart-job';
import { RestartTarget } from '../../lambda-src/contract';
import { AgentTokenExternalSecret, AgentTokenExternalSecretProps } from '../../constructs/agent-token-external-secret';
import { ExpiryMonitor, ExpiryMonitorProps, MonitorDriftDetection } from '../../constructs/expiry-monitor';
import { KubernetesCluster, KubernetesClusterProps } from '../../constructs/kubernetes-cluster';
import { LegacyCredentialsExternalSecret, LegacyCredentialsExternalSecretProps } from '../../constructs/legacy-credentials-external-secret';
import { ExistingNamespace } from '../../constructs/existing-namespace';
import { PodStartCheck } from '../../constructs/pod-start-check';
import { Duration } from '../../inventory/duration';
import { ManagedNamespace } from '../../constructs/managed-namespace';
import { ScriptBundles } from '../../constructs/script-bundle';
import { ScriptEgressPolicy } from '../../constructs/script-egress-policy';
import { TokenExpiryConfigMap } from '../../constructs/token-expiry-config-map';
import { TokenProbe, TokenProbeProps } from '../../constructs/token-probe';
import { TokenInventory } from '../../inventory/token-inventory';
import { adoptIfSameName, HCL_STACK_OBJECTS, importIds } from './hcl-stack-adoption';
import { AGENTS_NAMESPACE } from '../../settings/object-names';

export interface ClaudeAgentServiceStackProps {
  /** The validated tokens (from `buildTokenInventory`). */
  readonly inventory: TokenInventory;
  /** The in-cluster programs, bundled once by the app (`bundleScripts()`). */
  readonly scripts: ScriptBundles;
  /**
   * Namespace the agents run in.
   * @default 'claude-agent'
   */
  readonly namespace?: string;
  /**
   * Create the namespace. Off because the agents' namespace usually exists already.
   * @default false
   */
  readonly createNamespace?: boolean;
  /**
   * Restart the agents onto a new primary token as part of the deploy that records it: a Job that
   * waits for ESO's sync, restarts this Deployment and waits for the rollout.
   * @default off
   */
  readonly restartAgents?: Pick<AgentRestartJobProps, 'syncTimeout' | 'rolloutTimeout'> & {
    /** The agents' Deployment or StatefulSet (in `namespace`, fed by this stack's token ExternalSecret). */
    readonly agentWorkload?: { readonly kind: 'Deployment' | 'StatefulSet'; readonly name: string };
    /** The token's other consumers, each its workload and the ExternalSecret that feeds it, in any namespace. */
    readonly consumers?: readonly RestartTarget[];
  };
  /**
   * What every pod of this stack (monitor, probe, restart Job) shares with the cluster's admission
   * policies: the image, and the pod-template fields mutating webhooks write (ignored by plans).
   * @default DEFAULT_SCRIPT_IMAGE, and only `spec[0].dns_config` ignored
   */
  readonly pods?: Pick<AgentRestartJobProps, 'image' | 'ignoredPodTemplateFields'>;
  /**
   * How long the deploy waits for a pod of this stack to start before it fails, naming the pod start check.
   * @default Duration.minutes(2)
   */
  readonly podStartTimeout?: Duration;
  /**
   * Adopt the objects the agents' older HCL stack created (those whose names match ours) with
   * Terraform `import` blocks instead of creating them; remove them from that stack's state first
   * (docs/fitting-the-cluster.md, Migrating from the HCL stack).
   * @default false
   */
  readonly adoptFromHcl?: boolean;
  /**
   * Confine the monitor's and the probe's egress with NetworkPolicies: DNS, the Pushgateway, Vault
   * (with drift detection) and the probe endpoint's port, nothing else. Needs a CNI that enforces them.
   * @default false
   */
  readonly networkPolicies?: boolean;
  /**
   * Which cluster to deploy to.
   * @default the Kubernetes provider's own kubeconfig lookup
   */
  readonly cluster?: KubernetesClusterProps;
  /**
   * How the token reaches the agents.
   * @default Secret `claude-oauth-token` of its own, ClusterSecretStore `vault-kv`, refreshed hourly
   */
  readonly tokenSecret?: Omit<AgentTokenExternalSecretProps, 'namespace' | 'token'>;
  /**
   * The older `.credentials.json` login, in an ExternalSecret of its own; `false` leaves it out.
   * @default Secret `claude-credentials` from Vault field `claude_credentials_json` of the primary's secret
   */
  readonly legacyCredentials?: Omit<LegacyCredentialsExternalSecretProps, 'namespace' | 'vaultSecret'> | false;
  /**
   * The expiry monitor CronJob; pass the monitoring stack's `pushgateway` here. Drift detection reads
   * Vault where the inventory says the tokens are.
   * @default every 6 hours, pushing to the plain chart's Pushgateway
   */
  readonly monitor?: Omit<ExpiryMonitorProps, 'expiryConfigMap' | 'bundle' | 'driftDetection'> & {
    readonly driftDetection?: Omit<MonitorDriftDetection, 'layout'>;
  };
  /**
   * Run the live token probe (needs egress to the Anthropic API, and reads the tokens). Pass the
   * monitoring stack's `pushgateway` here, and enable `tokenProbe` there for its alerts.
   * @default off
   */
  readonly tokenProbe?: Omit<TokenProbeProps, 'namespace' | 'tokens' | 'bundle'>;
}

/** On the token's ExternalSecret: the primary's mint time, so that a rotation changes it and ESO re-syncs at once. */
export const PRIMARY_MINTED_AT_ANNOTATION = 'claude-oauth-tokens/primary-minted-at';

/** Everything in the agents' namespace: the token Secret's delivery, the expiry data and its monitor. */
export class ClaudeAgentServiceStack extends ProjectStack {
  readonly tokenSecret: AgentTokenExternalSecret;
  readonly restartJob?: AgentRestartJob;
  readonly legacyCredentials?: LegacyCredentialsExternalSecret;
  readonly expiryConfigMap: TokenExpiryConfigMap;
  readonly monitor: ExpiryMonitor;
  readonly tokenProbe?: TokenProbe;
  /** Runs before the deploy's Jobs, so that a pod that cannot start fails the deploy in minutes. */
  readonly podStartCheck?: PodStartCheck;

  constructor(scope: Construct, id: string, props: ClaudeAgentServiceStackProps) {
    super(scope, id);
    new KubernetesCluster(this, 'cluster', props.cluster);
    const agentsNamespace = props.namespace ?? AGENTS_NAMESPACE;
    const namespace = props.createNamespace ? new ManagedNamespace(this, 'namespace', { name: agentsNamespace }).name : agentsNamespace;
    if (!props.createNamespace) new ExistingNamespace(this, 'namespace', { name: agentsNamespace, setting: 'namespace', alternative: 'or set createNamespace to true' });
    const consumerNamespaces = new Set((props.restartAgents?.consumers ?? []).map((consumer) => consumer.workload.namespace).filter((name) => name !== agentsNamespace));
    for (const name of consumerNamespaces) new ExistingNamespace(this, `consumer-namespace-${name}`, { name, setting: 'tokenConsumers' });

    const primary = props.inventory.primary;
    this.tokenSecret = new AgentTokenExternalSecret(this, 'token-secret', {
      ...props.tokenSecret,
      annotations: { ...props.tokenSecret?.annotations, [PRIMARY_MINTED_AT_ANNOTATION]: String(primary.mintedAt) },
      namespace,
      token: primary.vault,
    });
    const restart = props.restartAgents;
    const targets: RestartTarget[] = [
      ...(restart?.agentWorkload
        ? [{ externalSecret: { namespace: agentsNamespace, name: this.tokenSecret.secretName }, workload: { ...restart.agentWorkload, namespace: agentsNamespace } }]
        : []),
      ...(restart?.consumers ?? []),
    ];
    if (restart && targets.length > 0) {
      this.restartJob = new AgentRestartJob(this, 'restart-agents', {
        ...props.pods,
        syncTimeout: restart.syncTimeout,
        rolloutTimeout: restart.rolloutTimeout,
        bundle: props.scripts.restartAgents,
        namespace,
        targets,
        primaryEntry: `${primary.path}:${primary.mintedAt}`,
        dependsOn: [this.tokenSecret.resource],
      });
    }
    if (props.legacyCredentials !== false) {
      this.legacyCredentials = new LegacyCredentialsExternalSecret(this, 'legacy-credentials', {
        secretStore: props.tokenSecret?.secretStore,
        refreshInterval: props.tokenSecret?.refreshInterval,
        ...props.legacyCredentials,
        namespace,
        vaultSecret: props.inventory.primary.vault,
      });
    }
    this.expiryConfigMap = new TokenExpiryConfigMap(this, 'token-expiry', {
      namespace,
      tokens: props.inventory.tokens,
    });
    this.monitor = new ExpiryMonitor(this, 'expiry-monitor', {
      ...props.pods,
      ...props.monitor,
      bundle: props.scripts.monitor,
      expiryConfigMap: this.expiryConfigMap,
      driftDetection: props.monitor?.driftDetection && { ...props.monitor.driftDetection, layout: props.inventory.vaultLayout },
    });
    const deployJobs = PodStartCheck.jobsOf([this.monitor.job.deployRun, this.restartJob?.job]);
    if (deployJobs.length > 0) {
      this.podStartCheck = new PodStartCheck(this, 'pod-start-check', { ...props.pods, namespace, guards: deployJobs, timeout: props.podStartTimeout });
    }
    if (props.tokenProbe) {
      this.tokenProbe = new TokenProbe(this, 'token-probe', {
        secretStore: props.tokenSecret?.secretStore,
        ...props.pods,
        ...props.tokenProbe,
        bundle: props.scripts.probe,
        namespace,
        tokens: props.inventory.tokens,
      });
    }
    if (props.adoptFromHcl) {
      adoptIfSameName(this.monitor.job.cronJob, this.monitor.name, HCL_STACK_OBJECTS.cronJob, importIds.namespaced(agentsNamespace, this.monitor.name));
      adoptIfSameName(
        this.expiryConfigMap.resource,
        this.expiryConfigMap.name,
        HCL_STACK_OBJECTS.expiryConfigMap,
        importIds.namespaced(agentsNamespace, this.expiryConfigMap.name),
      );
      adoptIfSameName(
        this.tokenSecret.resource,
        this.tokenSecret.secretName,
        HCL_STACK_OBJECTS.externalSecret,
        importIds.manifest('external-secrets.io/v1', 'ExternalSecret', agentsNamespace, this.tokenSecret.secretName),
      );
    }
    if (props.networkPolicies) {
      for (const script of [this.monitor, ...(this.tokenProbe ? [this.tokenProbe] : [])]) {
        new ScriptEgressPolicy(this, `${script.node.id}-egress`, {
          namespace,
          name: `${script.name}-egress`,
          podLabels: script.podLabels,
          destinations: script.egressDestinations,
        });
      }
    }
  }
}
