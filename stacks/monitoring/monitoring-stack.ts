import { ProjectStack } from '../project-stack';
import { Construct } from 'constructs';
import { AlertRecord, PrometheusRuleGroup, toRuleGroup } from '../../alerts/alert-record';
import { renderRulesFile } from '../../alerts/rules-file';
import { TOKEN_EXPIRY_RULE_GROUP, tokenExpiryAlerts, TokenExpiryAlertsProps } from '../../alerts/token-expiry-alerts';
import { driftAlerts, DriftAlertsProps } from '../../alerts/drift-alerts';
import { secretSyncAlerts, SecretSyncAlertsProps } from '../../alerts/secret-sync-alerts';
import { tokenProbeAlerts, TokenProbeAlertsProps } from '../../alerts/token-probe-alerts';
import { DEDICATED_TOKEN_SECRET_NAME } from '../../constructs/agent-token-external-secret';
import { KeepAlertSink, KeepAlertSinkProps } from '../../constructs/keep-alert-sink';
import { ExistingNamespace } from '../../constructs/existing-namespace';
import { KubernetesCluster, KubernetesClusterProps } from '../../constructs/kubernetes-cluster';
import { PrometheusRulesConfigMap } from '../../constructs/prometheus-rules-config-map';
import { IPushgateway, Pushgateway } from '../../constructs/pushgateway';
import { PushgatewayRelease, PushgatewayReleaseProps } from '../../constructs/pushgateway-release';
import { TokenExpiryDashboard } from '../../constructs/token-expiry-dashboard';
import { TokenExpiryPrometheusRule } from '../../constructs/token-expiry-prometheus-rule';
import { AGENTS_NAMESPACE, KUBE_PROMETHEUS_STACK_SELECTOR, MONITORING_NAMESPACE } from '../../settings/object-names';

/**
 * How the rules reach Prometheus: the plain `prometheus` chart (rules in a ConfigMap it mounts; no
 * operator CRD anywhere) or the Prometheus Operator (PrometheusRule, ServiceMonitor and
 * AlertmanagerConfig, labelled for its selectors).
 */
export type RuleDelivery =
  | { readonly mode: 'chart' }
  | {
      readonly mode: 'operator';
      /**
       * Labels the operator's `ruleSelector` (and ServiceMonitor selector) match; kube-prometheus-stack
       * selects `release: <its release name>`.
       * @default { release: 'kube-prometheus-stack' }
       */
      readonly selectorLabels?: Readonly<Record<string, string>>;
    };

/** Where the monitor pushes: a Pushgateway that exists already, or one this stack installs. */
export type PushgatewayWiring = { readonly existingUrl: string } | { readonly deploy: Omit<PushgatewayReleaseProps, 'namespace' | 'scrape'> };

export interface MonitoringStackProps {
  /** URL of docs/runbook.md as your team reads it (rendered); each alert links to its section. */
  readonly runbookUrl: string;
  /**
   * Which cluster to deploy to.
   * @default the Kubernetes provider's own kubeconfig lookup
   */
  readonly cluster?: KubernetesClusterProps;
  /**
   * Namespace of Prometheus, its rules and the dashboard.
   * @default 'monitoring'
   */
  readonly namespace?: string;
  /**
   * Alert thresholds and `for` durations.
   * @default 30 d warning (for 1h), 7 d critical (for 10m), expired (for 2m), stale after 48 h (for 15m), never run (for 2h)
   */
  readonly alerts?: TokenExpiryAlertsProps;
  /**
   * How the rules reach Prometheus.
   * @default { mode: 'chart' }: a ConfigMap for the plain prometheus chart
   */
  readonly ruleDelivery?: RuleDelivery;
  /**
   * The Pushgateway: one that exists, by URL, or one this stack installs.
   * @default { existingUrl: 'http://prometheus-prometheus-pushgateway.monitoring:9091' }
   */
  readonly pushgateway?: PushgatewayWiring;
  /**
   * Route these alerts to Keep as well.
   * @default off
   */
  readonly keep?: Omit<KeepAlertSinkProps, 'namespace'>;
  /**
   * Alert on the live token probe's results (set this when the claude-agent-service stack runs the probe).
   * @default off
   */
  readonly tokenProbe?: TokenProbeAlertsProps;
  /**
   * Alert on map-vs-Vault drift (set this when the monitor's drift detection is on).
   * @default off
   */
  readonly drift?: DriftAlertsProps;
  /**
   * Alert when the token ExternalSecrets are not Ready (from ESO's own metrics).
   * @default namespace 'claude-agent', ExternalSecret 'claude-oauth-token'
   */
  readonly secretSync?: SecretSyncAlertsProps;
  /**
   * Ship the Grafana dashboard.
   * @default true
   */
  readonly dashboard?: boolean;
}

/** The Prometheus side: alert rules, the Pushgateway wiring, the dashboard, and the optional Keep route. */
export class MonitoringStack extends ProjectStack {
  /** Where the expiry monitor and the probe must push: pass it to the claude-agent-service stack. */
  readonly pushgateway: IPushgateway;
  readonly alertRecords: readonly AlertRecord[];
  readonly ruleGroups: readonly PrometheusRuleGroup[];
  /** The same rules as a plain Prometheus rules file, for setups without the operator. */
  readonly rulesFile: string;
  /** With the plain chart: the one-time chart values that mount and load the rules ConfigMap. */
  readonly chartValues?: string;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id);
    const namespace = props.namespace ?? MONITORING_NAMESPACE;
    const delivery = props.ruleDelivery ?? { mode: 'chart' };
    const selectorLabels = delivery.mode === 'operator' ? delivery.selectorLabels ?? KUBE_PROMETHEUS_STACK_SELECTOR : undefined;
    if (props.keep && !selectorLabels) {
      throw new Error(
        "MonitoringStack: keep routing is an AlertmanagerConfig, a Prometheus Operator resource; with the plain chart add Keep's webhook receiver to the chart's alertmanager values instead (docs/fitting-the-cluster.md, Alert rules: plain chart or operator), or set prometheus.mode to operator.",
      );
    }
    const wiring = props.pushgateway ?? { existingUrl: Pushgateway.CHART_DEFAULT.url };
    if (!/^https?:\/\//.test(props.runbookUrl)) {
      throw new Error(`MonitoringStack: runbookUrl '${props.runbookUrl}' must be an http(s) URL of docs/runbook.md (alerts link to its sections).`);
    }
    new KubernetesCluster(this, 'cluster', { ...props.cluster, withHelm: 'deploy' in wiring });
    new ExistingNamespace(this, 'namespace', { name: namespace, setting: 'monitoringNamespace' });

    this.pushgateway =
      'deploy' in wiring
        ? new PushgatewayRelease(this, 'pushgateway', {
            ...wiring.deploy,
            namespace,
            scrape: selectorLabels ? { serviceMonitorLabels: selectorLabels } : { annotation: true },
          })
        : Pushgateway.fromUrl(wiring.existingUrl);

    this.alertRecords = [
      ...tokenExpiryAlerts(props.alerts),
      ...secretSyncAlerts(props.secretSync ?? { namespace: AGENTS_NAMESPACE, externalSecretNames: [DEDICATED_TOKEN_SECRET_NAME] }),
      ...(props.tokenProbe ? tokenProbeAlerts(props.tokenProbe) : []),
      ...(props.drift ? driftAlerts(props.drift) : []),
    ];
    // The operator's AlertmanagerConfig matches alerts on its own namespace; `min by (path)` drops it, so add it back.
    this.ruleGroups = [toRuleGroup(TOKEN_EXPIRY_RULE_GROUP, this.alertRecords, props.runbookUrl, { namespace })];
    this.rulesFile = renderRulesFile(this.ruleGroups);
    if (selectorLabels) {
      new TokenExpiryPrometheusRule(this, 'rules', { namespace, groups: this.ruleGroups, selectorLabels });
    } else {
      this.chartValues = new PrometheusRulesConfigMap(this, 'rules', { namespace, rulesFile: this.rulesFile }).chartValues;
    }
    if (props.dashboard !== false) new TokenExpiryDashboard(this, 'dashboard', { namespace });
    if (props.keep) new KeepAlertSink(this, 'keep', { ...props.keep, namespace });
  }
}
