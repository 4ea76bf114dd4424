import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';

/** One invocation of the stand-in: the stack directory it ran in (its basename) and its arguments. */
export interface TerraformCall {
  readonly dir: string;
  readonly args: string;
}

/**
 * A stand-in `terraform` for the real cdktf CLI to drive (no Terraform binary can be fetched here): it
 * records every invocation and answers `version`, `init`, `plan`, `apply` and `output` as Terraform
 * would when there is nothing to change. Put `binDir` first on PATH.
 */
export class StandinTerraform {
  readonly binDir = mkdtempSync(path.join(tmpdir(), 'standin-terraform-'));
  private readonly log = path.join(this.binDir, 'calls.log');

  constructor() {
    const script = [
      '#!/bin/sh',
      // `terraform -chdir=DIR …` runs in DIR, as the real one does.
      'case "$1" in -chdir=*) cd "${1#-chdir=}" || exit 1; shift ;; esac',
      `printf '%s\\t%s\\n' "$(basename "$PWD")" "$*" >> '${this.log}'`,
      'case "$1" in',
      '  -v|version) echo "Terraform v1.9.8"; echo "on linux_amd64" ;;',
      '  init) echo "Terraform has been successfully initialized!" ;;',
      '  plan) echo "No changes. Your infrastructure matches the configuration." ;;',
      '  apply) echo "Apply complete! Resources: 0 added, 0 changed, 0 destroyed." ;;',
      '  output) echo "{}" ;;',
      'esac',
      'exit 0',
      '',
    ].join('\n');
    writeFileSync(path.join(this.binDir, 'terraform'), script);
    chmodSync(path.join(this.binDir, 'terraform'), 0o755);
  }

  /** Every call so far, in order. */
  calls(): TerraformCall[] {
    let text: string;
    try {
      text = readFileSync(this.log, 'utf8');
    } catch {
      return [];
    }
    return text
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [dir, args] = line.split('\t');
        return { dir, args };
      });
  }

  /** The stack directories a verb (`init`, `plan`, `apply`) ran in, in order. */
  dirsOf(verb: string): string[] {
    return this.calls().filter((call) => call.args.split(' ')[0] === verb).map((call) => call.dir);
  }

  reset(): void {
    rmSync(this.log, { force: true });
  }

  remove(): void {
    rmSync(this.binDir, { recursive: true, force: true });
  }
}
