import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { Construct } from 'constructs';
import { PrometheusRuleGroup } from '../alerts/alert-record';
import { recommendedLabels } from './labels';
import { KUBE_PROMETHEUS_STACK_SELECTOR } from '../settings/object-names';

export interface TokenExpiryPrometheusRuleProps {
  /** Namespace of the PrometheusRule. */
  readonly namespace: string;
  /** The rule groups, rendered from the alert records. */
  readonly groups: readonly PrometheusRuleGroup[];
  /**
   * Labels the Prometheus `ruleSelector` matches (kube-prometheus-stack selects its release label).
   * @default { release: 'kube-prometheus-stack' }
   */
  readonly selectorLabels?: Readonly<Record<string, string>>;
  /**
   * Name of the PrometheusRule.
   * @default 'claude-oauth-token-expiry'
   */
  readonly name?: string;
}

/** The alert rules as a prometheus-operator PrometheusRule (`monitoring.coreos.com/v1`). */
export class TokenExpiryPrometheusRule extends Construct {
  readonly resource: Manifest;

  constructor(scope: Construct, id: string, props: TokenExpiryPrometheusRuleProps) {
    super(scope, id);
    const name = props.name ?? 'claude-oauth-token-expiry';
    if (props.groups.every((group) => group.rules.length === 0)) {
      throw new Error(`TokenExpiryPrometheusRule '${name}': no rules given; an empty PrometheusRule alerts nobody.`);
    }
    this.resource = new Manifest(this, 'resource', {
      manifest: {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'PrometheusRule',
        metadata: {
          name,
          namespace: props.namespace,
          labels: { ...recommendedLabels(name, 'alert-rules'), ...(props.selectorLabels ?? KUBE_PROMETHEUS_STACK_SELECTOR) },
        },
        spec: { groups: props.groups },
      },
    });
  }
}
