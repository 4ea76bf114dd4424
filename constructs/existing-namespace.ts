import { DataKubernetesNamespaceV1 } from '@cdktf/provider-kubernetes/lib/data-kubernetes-namespace-v1';
import { Fn, ref, Token } from 'cdktf';
import { Construct } from 'constructs';

export interface ExistingNamespaceProps {
  /** The namespace that must exist before anything is placed in it. */
  readonly name: string;
  /** The setting that names it, for the message (e.g. `monitoringNamespace`). */
  readonly setting: string;
  /** What the operator can do instead of creating it by hand, if anything. */
  readonly alternative?: string;
}

/**
 * A prerequisite checked at plan time: the namespace exists. A plan that fails writes nothing, so a
 * first apply cannot stop half-way at `namespaces "…" not found` after creating the objects before it.
 */
export class ExistingNamespace extends Construct {
  constructor(scope: Construct, id: string, props: ExistingNamespaceProps) {
    super(scope, id);
    // The provider reads a missing namespace as empty metadata (no uid) instead of failing. The uid
    // is tested by a regex because cdktf drops an empty string operand ("" would render as undefined).
    new DataKubernetesNamespaceV1(this, 'resource', {
      metadata: { name: props.name },
      lifecycle: {
        postcondition: [
          {
            condition: Fn.can(Fn.regex('^.+$', Token.asString(ref('self.metadata[0].uid')))),
            errorMessage:
              `Namespace ${props.name} does not exist in this cluster (cdktf.json: ${props.setting}). ` +
              `Create it (kubectl create namespace ${props.name})${props.alternative ? `, ${props.alternative}` : ''}, or set ${props.setting} to the namespace it belongs in. Nothing was applied.`,
          },
        ],
      },
    });
  }
}
