import { readFileSync } from 'fs';
import * as path from 'path';
import { TokenInventory } from '../inventory/token-inventory';
import { formatTokenTable } from '../inventory/token-table';

/** A stack's Terraform JSON, parsed: `resource.<type>.<name>` holds each resource. */
export interface StackJson {
  readonly resource?: Record<string, Record<string, unknown>>;
  readonly [key: string]: unknown;
}

/** What one synthesized stack holds, read back from `cdktf.out`. */
export interface SynthesizedStack {
  readonly name: string;
  /** Path of its `cdk.tf.json`, relative to `relativeTo`. */
  readonly file: string;
  /** Resource count per Terraform type. */
  readonly resourceCounts: Readonly<Record<string, number>>;
  readonly json: StackJson;
}

/** Reads cdktf's manifest and each stack's Terraform JSON back from the output directory. */
export function readSynthesizedStacks(outdir: string, relativeTo: string = process.cwd()): SynthesizedStack[] {
  const manifest = JSON.parse(readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as { stacks: Record<string, { name: string; synthesizedStackPath: string }> };
  return Object.values(manifest.stacks).map((stack) => {
    const file = path.join(outdir, stack.synthesizedStackPath);
    const json = JSON.parse(readFileSync(file, 'utf8')) as StackJson;
    const resources = json.resource ?? {};
    return {
      name: stack.name,
      json,
      file: path.relative(relativeTo, file),
      resourceCounts: Object.fromEntries(Object.entries(resources).map(([type, byName]) => [type, Object.keys(byName).length])),
    };
  });
}

/** The short report `npm run synth` ends with: stacks, resources, and the token table. */
export function formatSynthSummary(outdir: string, inventory: TokenInventory, relativeTo: string = process.cwd()): string {
  const stacks = readSynthesizedStacks(outdir, relativeTo).map((stack) => {
    const counts = Object.entries(stack.resourceCounts);
    const total = counts.reduce((sum, [, count]) => sum + count, 0);
    const detail = counts.map(([type, count]) => `${count} ${type}`).join(', ');
    return `  ${stack.name}: ${total} resource${total === 1 ? '' : 's'}${detail ? ` (${detail})` : ''} -> ${stack.file}`;
  });
  return ['Synthesized stacks:', ...stacks, '', 'Tokens:', formatTokenTable(inventory)].join('\n');
}
