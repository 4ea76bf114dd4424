import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Construct } from 'constructs';

export interface KubernetesClusterProps {
  /**
   * Path of the kubeconfig that `cdktf deploy` uses.
   * @default the provider's own lookup (`KUBE_CONFIG_PATH` and friends), so no local path lands in the synth output
   */
  readonly kubeconfigPath?: string;
  /**
   * kubeconfig context to use.
   * @default the kubeconfig's current context
   */
  readonly kubeContext?: string;
  /**
   * Also configure the Helm provider for the same cluster (for charts the stack installs).
   * @default false
   */
  readonly withHelm?: boolean;
}

/** The cluster a stack deploys to: one Kubernetes (and optionally Helm) provider per stack, as Terraform wants. */
export class KubernetesCluster extends Construct {
  readonly provider: KubernetesProvider;

  constructor(scope: Construct, id: string, props: KubernetesClusterProps = {}) {
    super(scope, id);
    const connection = { configPath: props.kubeconfigPath, configContext: props.kubeContext };
    this.provider = new KubernetesProvider(this, 'provider', connection);
    if (props.withHelm) new HelmProvider(this, 'helm', { kubernetes: connection });
  }
}
