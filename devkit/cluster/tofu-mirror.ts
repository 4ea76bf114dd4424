import { mkdirSync, symlinkSync, writeFileSync } from 'fs';
import * as path from 'path';
import { goProgram } from '../go-tools';
import { THIRD_PARTY, thirdPartyProgram } from '../third-party';
import { CommandRun, runCommand } from './processes';

/** The providers the synth output pins, each built from its release source (devkit/third-party.ts). */
const PROVIDERS = THIRD_PARTY.filter((source) => source.tarball.startsWith('terraform-provider-')).map((source) => ({
  name: source.tarball.replace(/^terraform-provider-/, '').replace(/-v[\d.]+\.tar\.gz$/, ''),
  version: source.version,
  binary: source.program.name,
}));

/**
 * A CLI config whose only provider source is a filesystem mirror of the locally built providers,
 * laid out for both registry hosts (cdktf writes `"source": "kubernetes"`, which OpenTofu reads as
 * registry.opentofu.org and Terraform as registry.terraform.io). The host folders are real folders:
 * OpenTofu does not follow a symlinked one; a symlinked binary inside is fine. Returns the config's path.
 */
export function writeProviderMirror(dir: string): string {
  const mirror = path.join(dir, 'provider-mirror');
  for (const host of ['registry.opentofu.org', 'registry.terraform.io']) {
    for (const provider of PROVIDERS) {
      const platformDir = path.join(mirror, host, 'hashicorp', provider.name, provider.version, 'linux_amd64');
      mkdirSync(platformDir, { recursive: true });
      symlinkSync(thirdPartyProgram(provider.binary), path.join(platformDir, `terraform-provider-${provider.name}_v${provider.version}`));
    }
  }
  const config = path.join(dir, 'tofurc');
  writeFileSync(config, `provider_installation {\n  filesystem_mirror {\n    path = ${JSON.stringify(mirror)}\n  }\n}\n`);
  return config;
}

/** What a `tofu` run left. */
export type TofuRun = CommandRun;

/**
 * The real `tofu` with `args`, asynchronously: the servers it talks to (OpenBao, a webhook) may run in
 * this very process, which a synchronous spawn would freeze.
 */
export function runTofu(args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<TofuRun> {
  return runCommand(goProgram('opentofu', 'tofu'), args, options);
}
