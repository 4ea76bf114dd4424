import { spawnSync, SpawnSyncReturns } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { goProgram } from './go-tools';

/** What OpenTofu's own HCL makes of one Terraform JSON file (gotools/opentofu/cmd/tfjson-templates). */
export interface TemplateReport {
  /** Strings OpenTofu would refuse, or would read as a reference to nothing. */
  readonly problems: readonly { readonly path: string; readonly summary: string; readonly detail: string }[];
  /** Every reference a template makes, where it is. */
  readonly references: readonly { readonly path: string; readonly traversal: string }[];
  /** Plain text holding escapes (`$${`, `%%{`): the value OpenTofu reads, where it is. */
  readonly unescaped: readonly { readonly path: string; readonly value: string }[];
}

/** Reads `file` (a cdk.tf.json) as OpenTofu does: every string a template. */
export function templateReport(file: string): TemplateReport {
  const result = spawnSync(goProgram('opentofu', 'tfjson-templates'), [file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`tfjson-templates ${file} exited ${result.status}: ${result.stderr}`);
  return JSON.parse(result.stdout) as TemplateReport;
}

/**
 * The environment OpenTofu runs in here: no CLI config of the machine's, no checkpoint call, no
 * colour, and no network to reach (a provider would come from a filesystem mirror).
 */
export function tofuEnv(dataDir: string): NodeJS.ProcessEnv {
  const cliConfig = path.join(dataDir, 'tofurc');
  writeFileSync(cliConfig, '');
  return { ...process.env, TF_CLI_CONFIG_FILE: cliConfig, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', NO_COLOR: '1' };
}

/** The real `tofu` with `args` in `dir`. */
export function tofu(dir: string, args: readonly string[], env: NodeJS.ProcessEnv): SpawnSyncReturns<string> {
  return spawnSync(goProgram('opentofu', 'tofu'), args, { cwd: dir, env, encoding: 'utf8', timeout: 120_000 });
}

/**
 * The values OpenTofu gives `locals` (a Terraform JSON locals block, each value a string as
 * written into the JSON): applied by the real `tofu` in a configuration with no provider.
 */
export function tofuReadsBack(locals: Readonly<Record<string, string>>): Record<string, string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tofu-literals-'));
  try {
    const output = Object.fromEntries(Object.keys(locals).map((name) => [name, { value: `\${local.${name}}` }]));
    writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify({ locals, output }));
    const env = tofuEnv(dir);
    for (const args of [['init', '-input=false'], ['apply', '-auto-approve', '-input=false']]) {
      const run = tofu(dir, args, env);
      if (run.status !== 0) throw new Error(`tofu ${args.join(' ')} exited ${run.status}:\n${run.stdout}\n${run.stderr}`);
    }
    const outputs = tofu(dir, ['output', '-json'], env);
    if (outputs.status !== 0) throw new Error(`tofu output -json exited ${outputs.status}:\n${outputs.stderr}`);
    const parsed = JSON.parse(outputs.stdout) as Record<string, { value: string }>;
    return Object.fromEntries(Object.entries(parsed).map(([name, { value }]) => [name, value]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
