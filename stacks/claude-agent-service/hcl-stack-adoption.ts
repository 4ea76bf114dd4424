import { TerraformResource } from 'cdktf';

/**
 * The objects the agents' older HCL stack (`stacks/claude-agent-service/main.tf` of the cluster this
 * project was made for) created that this project now owns, by kind and name. Those whose names match
 * ours are imported instead of created: `cdktf deploy` then adopts them in place.
 */
export const HCL_STACK_OBJECTS = {
  cronJob: 'claude-oauth-expiry-monitor',
  expiryConfigMap: 'claude-oauth-expiry',
  externalSecret: 'claude-agent-secrets',
} as const;

/** Terraform import IDs, as the hashicorp/kubernetes provider documents them for each resource type. */
export const importIds = {
  /** `kubernetes_cron_job_v1`, `kubernetes_config_map_v1`: `<namespace>/<name>`. */
  namespaced: (namespace: string, name: string) => `${namespace}/${name}`,
  /** `kubernetes_manifest`: `apiVersion=…,kind=…,namespace=…,name=…`. */
  manifest: (apiVersion: string, kind: string, namespace: string, name: string) => `apiVersion=${apiVersion},kind=${kind},namespace=${namespace},name=${name}`,
};

/** Emits a Terraform `import` block for `resource` when `ourName` is the HCL stack's name for it. */
export function adoptIfSameName(resource: TerraformResource, ourName: string, hclName: string, importId: string): boolean {
  if (ourName !== hclName) return false;
  resource.importFrom(importId);
  return true;
}
