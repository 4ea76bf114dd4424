import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { App, TerraformStack, Testing } from 'cdktf';
import { ProjectStack } from '../../stacks/project-stack';
import { Construct } from 'constructs';
import { StackJson } from '../../stacks/synth-output';
import { readTemplateLiteral } from '../../constructs/terraform-literals';

export type { StackJson };

/** A literal of the synth output as Terraform reads it (`$${` is `${`): what a ConfigMap really holds. */
export const asTerraformReads = readTemplateLiteral;

let outdir: string | undefined;
afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

/**
 * cdktf's `Testing.app()`, with one output folder per test file, removed after it: `Testing.app()`
 * makes a new one in the temp folder on every call and never removes it (131 a run).
 */
export function testApp(): App {
  outdir ??= mkdtempSync(path.join(tmpdir(), 'cdktf.outdir.'));
  return Testing.app({ outdir });
}

export function synthStack(stack: TerraformStack): StackJson {
  return JSON.parse(Testing.synth(stack));
}

/** Synthesizes whatever `build` adds to a fresh stack. */
export function synthConstructs(build: (scope: Construct) => void): StackJson {
  const stack = new ProjectStack(testApp(), 'test');
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
