import { KubernetesAuthBackendRole } from '@cdktf/provider-vault/lib/kubernetes-auth-backend-role';
import { Construct } from 'constructs';
import { Duration } from '../inventory/duration';
import { VAULT_AUTH_MOUNT } from '../settings/object-names';

export interface VaultKubernetesRoleProps {
  /** Role name in Vault. */
  readonly roleName: string;
  /** The one ServiceAccount allowed to log in with this role. */
  readonly serviceAccount: { readonly name: string; readonly namespace: string };
  /** Policies its tokens get (and only these: no `default` policy). */
  readonly policies: readonly string[];
  /**
   * Mount path of Vault's Kubernetes auth method.
   * @default 'kubernetes'
   */
  readonly authMount?: string;
  /**
   * Audience the ServiceAccount token must carry.
   * @default none required
   */
  readonly audience?: string;
  /**
   * Lifetime of the Vault tokens it issues.
   * @default Duration.hours(1)
   */
  readonly tokenTtl?: Duration;
}

/** A Kubernetes-auth role that lets exactly one ServiceAccount read what its policies allow. */
export class VaultKubernetesRole extends Construct {
  readonly roleName: string;

  constructor(scope: Construct, id: string, props: VaultKubernetesRoleProps) {
    super(scope, id);
    this.roleName = props.roleName;
    const ttl = (props.tokenTtl ?? Duration.hours(1)).toSeconds();
    new KubernetesAuthBackendRole(this, 'resource', {
      backend: props.authMount ?? VAULT_AUTH_MOUNT,
      roleName: props.roleName,
      boundServiceAccountNames: [props.serviceAccount.name],
      boundServiceAccountNamespaces: [props.serviceAccount.namespace],
      tokenPolicies: [...props.policies],
      tokenNoDefaultPolicy: true,
      tokenTtl: ttl,
      tokenMaxTtl: ttl,
      audience: props.audience,
    });
  }
}
