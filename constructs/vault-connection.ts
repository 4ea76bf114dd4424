import { VaultProvider } from '@cdktf/provider-vault/lib/provider';
import { Construct } from 'constructs';

export interface VaultConnectionProps {
  /**
   * Vault's address for `cdktf deploy`.
   * @default the provider's own lookup (`VAULT_ADDR`); the token always comes from `VAULT_TOKEN` or the token helper
   */
  readonly address?: string;
}

/** The Vault a stack configures: one Vault provider per stack. Never given a token. */
export class VaultConnection extends Construct {
  constructor(scope: Construct, id: string, props: VaultConnectionProps = {}) {
    super(scope, id);
    new VaultProvider(this, 'provider', { address: props.address });
  }
}
