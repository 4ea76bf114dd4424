import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { checkConfigMapData } from './kubernetes-limits';
import { recommendedLabels } from './labels';

export interface PrometheusRulesConfigMapProps {
  /** Namespace of Prometheus (the plain chart mounts ConfigMaps of its own namespace only). */
  readonly namespace: string;
  /** The rules file (the plain Prometheus format, rendered from the alert records). */
  readonly rulesFile: string;
  /**
   * Name of the ConfigMap.
   * @default 'claude-oauth-token-rules'
   */
  readonly name?: string;
  /**
   * Where the chart's values mount it, in the server and in its config-reloader.
   * @default '/etc/claude-oauth-token-rules'
   */
  readonly mountPath?: string;
}

/** The one key of the ConfigMap; the `rule_files` glob matches it. */
export const RULES_CONFIG_MAP_KEY = 'claude-oauth-token-expiry.rules.yml';

/**
 * The alert rules for Prometheus installed by the plain `prometheus-community/prometheus` chart (no
 * operator, so no PrometheusRule): a ConfigMap in Prometheus's namespace, plus the one-time chart
 * values ({@link chartValues}) that mount it into the server, have the config-reloader watch it, and
 * list it in `rule_files`. After that, every deploy of a rule change reloads Prometheus by itself.
 */
export class PrometheusRulesConfigMap extends Construct {
  readonly resource: ConfigMapV1;
  /** The Helm values to merge into the prometheus chart's (25.8.x keys), once. */
  readonly chartValues: string;

  constructor(scope: Construct, id: string, props: PrometheusRulesConfigMapProps) {
    super(scope, id);
    const name = props.name ?? 'claude-oauth-token-rules';
    const mountPath = props.mountPath ?? '/etc/claude-oauth-token-rules';
    if (!/^\/[\w./-]+$/.test(mountPath) || mountPath === '/etc/config') {
      throw new Error(`PrometheusRulesConfigMap '${name}': mountPath '${mountPath}' must be an absolute path of its own (not the chart's /etc/config).`);
    }
    const data = { [RULES_CONFIG_MAP_KEY]: props.rulesFile };
    checkConfigMapData(`PrometheusRulesConfigMap '${name}'`, name, data, 'the rules file is too large.');
    this.resource = new ConfigMapV1(this, 'resource', {
      metadata: { name, namespace: props.namespace, labels: recommendedLabels(name, 'alert-rules') },
      data,
    });
    const mount = { name, mountPath, subPath: '', configMap: name, readOnly: true };
    this.chartValues = [
      '# Merge into the values of the prometheus-community/prometheus chart (release in this namespace), once.',
      '# server.extraConfigmapMounts mounts the rules into Prometheus; configmapReload.prometheus watches them',
      '# (extraConfigmapMounts + extraVolumeDirs), so each rule change reloads Prometheus; rule_files lists',
      "# the chart's defaults (a Helm list is replaced, not merged) and then this project's glob.",
      stringify({
        server: { extraConfigmapMounts: [mount] },
        configmapReload: { prometheus: { extraConfigmapMounts: [mount], extraVolumeDirs: [mountPath] } },
        serverFiles: {
          'prometheus.yml': {
            rule_files: ['/etc/config/recording_rules.yml', '/etc/config/alerting_rules.yml', '/etc/config/rules', '/etc/config/alerts', `${mountPath}/*.yml`],
          },
        },
      }),
    ].join('\n');
  }
}
