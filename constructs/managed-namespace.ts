import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import { Construct } from 'constructs';
import { recommendedLabels } from './labels';

export interface ManagedNamespaceProps {
  /** Name of the namespace. */
  readonly name: string;
  /**
   * The Pod Security Standard the namespace enforces (`pod-security.kubernetes.io/enforce`).
   * Everything this project runs passes `restricted`; the agents' own pods must too.
   * @default 'restricted'
   */
  readonly podSecurity?: 'restricted' | 'baseline' | 'privileged';
}

/** A namespace this project creates, for clusters where nobody else manages it. */
export class ManagedNamespace extends Construct {
  /**
   * The namespace's name as a reference to the resource, so that whatever is placed in it is
   * created after it (and destroyed before it) without a hand-written depends_on.
   */
  readonly name: string;

  constructor(scope: Construct, id: string, props: ManagedNamespaceProps) {
    super(scope, id);
    const resource = new NamespaceV1(this, 'resource', {
      metadata: {
        name: props.name,
        labels: { ...recommendedLabels(props.name, 'namespace'), 'pod-security.kubernetes.io/enforce': props.podSecurity ?? 'restricted' },
      },
    });
    this.name = resource.metadata.name;
  }
}
