import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { KubernetesCluster, KubernetesClusterProps } from '../../constructs/kubernetes-cluster';

export interface MonitoringStackProps {
  /**
   * Which cluster to deploy to.
   * @default the Kubernetes provider's own kubeconfig lookup
   */
  readonly cluster?: KubernetesClusterProps;
}

/** The Prometheus side: alert rules and the Pushgateway wiring. */
export class MonitoringStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: MonitoringStackProps = {}) {
    super(scope, id);
    new KubernetesCluster(this, 'cluster', props.cluster);
  }
}
