import { TerraformStack, Testing } from 'cdktf';
import { ProjectStack } from '../../stacks/project-stack';
import { Construct } from 'constructs';
import { StackJson } from '../../stacks/synth-output';
import { readTemplateLiteral } from '../../constructs/terraform-literals';

export type { StackJson };

/** A literal of the synth output as Terraform reads it (`$${` is `${`): what a ConfigMap really holds. */
export const asTerraformReads = readTemplateLiteral;

export function synthStack(stack: TerraformStack): StackJson {
  return JSON.parse(Testing.synth(stack));
}

/** Synthesizes whatever `build` adds to a fresh stack. */
export function synthConstructs(build: (scope: Construct) => void): StackJson {
  const stack = new ProjectStack(Testing.app(), 'test');
  build(stack);
  return synthStack(stack);
}

/** All resources of one Terraform type, without their cdktf metadata. */
export function resourcesOfType(json: StackJson, type: string): Record<string, any>[] {
  return Object.values(json.resource?.[type] ?? {}).map((resource) => {
    const { '//': _metadata, ...rest } = resource as Record<string, any>;
    return rest;
  });
}

/** The Kubernetes objects of every `kubernetes_manifest` in the stack. */
export function manifestsIn(json: StackJson): Record<string, any>[] {
  return resourcesOfType(json, 'kubernetes_manifest').map((resource) => resource.manifest);
}
