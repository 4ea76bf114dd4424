import { DataVaultAuthBackend } from '@cdktf/provider-vault/lib/data-vault-auth-backend';
import { Op, ref } from 'cdktf';
import { Construct } from 'constructs';

export interface VaultAuthMountCheckProps {
  /** Mount path of the Kubernetes auth method the roles are created in. */
  readonly mount: string;
}

/**
 * A prerequisite checked at plan time: Kubernetes auth is enabled at `mount`. Without it the apply
 * would create the policy, then fail on the role (a half-applied stack); a failing plan writes nothing.
 * A missing mount fails the read (`error reading from Vault: mount not found` at this data source);
 * a mount of another type fails its postcondition.
 */
export class VaultAuthMountCheck extends Construct {
  constructor(scope: Construct, id: string, props: VaultAuthMountCheckProps) {
    super(scope, id);
    const backend = new DataVaultAuthBackend(this, 'resource', {
      path: props.mount,
      lifecycle: {
        postcondition: [
          {
            condition: Op.eq(ref('self.type'), 'kubernetes'),
            errorMessage: `Vault's auth mount ${props.mount} is not a Kubernetes auth method (cdktf.json: vault.authMount). Enable one (vault auth enable -path=${props.mount} kubernetes; docs/deploying.md#prerequisites) or set vault.authMount to the path of yours. Nothing was applied.`,
          },
        ],
      },
    });
    // Read as a plain name in the plan's error output: "data.vault_auth_backend.kubernetes_auth_mount".
    backend.overrideLogicalId('kubernetes_auth_mount');
  }
}
