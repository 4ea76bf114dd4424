import { HttpBackend, LocalBackend, PgBackend, S3Backend, TerraformStack } from 'cdktf';
import { StateBackendSetting } from '../settings/app-settings';

/**
 * Where a stack keeps its Terraform state, one state per stack, with no credential in the synth
 * output: each backend takes its credentials from the environment Terraform runs in.
 *
 * - `local`: `terraform.<stack>.tfstate` at the repository root (relative, so two checkouts
 *   synthesize the same JSON and no machine path lands in it);
 * - `pg`: schema `<schemaPrefix><stack>` (dashes as underscores); the connection from `PG_CONN_STR`,
 *   as terragrunt's PostgreSQL setups pass it;
 * - `s3`: key `<keyPrefix><stack>.tfstate`; credentials from the AWS environment;
 * - `http`: `<address><stack>` (and the same for locking); `TF_HTTP_USERNAME`/`TF_HTTP_PASSWORD`.
 */
export function useStateBackend(stack: TerraformStack, setting: StateBackendSetting): void {
  const name = stack.node.id;
  switch (setting.type) {
    case 'local':
      new LocalBackend(stack, { path: `../../../terraform.${name}.tfstate` });
      return;
    case 'pg': {
      // cdktf's type wants a connection string; left out, the pg backend reads PG_CONN_STR.
      const backend = new PgBackend(stack, { connStr: 'from PG_CONN_STR', schemaName: `${setting.schemaPrefix}${name.replace(/-/g, '_')}` });
      backend.addOverride('conn_str', undefined);
      return;
    }
    case 's3':
      new S3Backend(stack, { bucket: setting.bucket, key: `${setting.keyPrefix}${name}.tfstate`, region: setting.region, encrypt: true });
      return;
    case 'http':
      new HttpBackend(stack, { address: `${setting.address}${name}`, lockAddress: `${setting.address}${name}`, unlockAddress: `${setting.address}${name}` });
      return;
  }
}
