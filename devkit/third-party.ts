import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'fs';
import * as path from 'path';
import { buildCached, builtProgram, cacheRoot, GoProgram, goVersion } from './go-build';

const REPO_ROOT = path.resolve(__dirname, '..');

/**
 * A release source the Go module proxy refuses (the Terraform providers, OpenBao), kept as a tarball
 * with its sha256 outside this repository: built into the cache keyed by that sha256, never copied here.
 */
export interface ThirdPartySource {
  /** The tarball's file name in the sources folder; its top folder is the name without `.tar.gz`. */
  readonly tarball: string;
  readonly sha256: string;
  readonly version: string;
  /** Where the tarball's source comes from (repository, tag, commit), so a clone elsewhere can make it. */
  readonly origin: string;
  readonly program: GoProgram;
}

export const THIRD_PARTY = [
  {
    tarball: 'terraform-provider-kubernetes-v2.38.0.tar.gz',
    origin: 'github.com/hashicorp/terraform-provider-kubernetes, tag v2.38.0, commit be88f44271050f69d52f410bca388834afedfe71',
    sha256: 'bb1e265212596b191c0955c9123f0eb160b67031310ecb5e0ae666de1c9116d5',
    version: '2.38.0',
    program: { name: 'terraform-provider-kubernetes_v2.38.0', package: '.', ldflags: '-s -w' },
  },
  {
    tarball: 'terraform-provider-vault-v5.6.0.tar.gz',
    origin: 'github.com/hashicorp/terraform-provider-vault, tag v5.6.0, commit bcb1be4983c816359dbdf9956ccf384fefb62cd0',
    sha256: '7170339a04bcea2dbdb218ab8a2321caac59f94b73a1c43a3b9079eb64e05a5a',
    version: '5.6.0',
    program: { name: 'terraform-provider-vault_v5.6.0', package: '.', ldflags: '-s -w' },
  },
  {
    tarball: 'terraform-provider-helm-v3.1.1.tar.gz',
    origin: 'github.com/hashicorp/terraform-provider-helm, tag v3.1.1, commit 1cbf08f6a306ab3cdff6079b87a61c7641b64f3b',
    sha256: 'ebf5578fe23187adc19365677e49d00eba006910c252b494e85d22179a3e8e49',
    version: '3.1.1',
    program: { name: 'terraform-provider-helm_v3.1.1', package: '.', ldflags: '-s -w' },
  },
  {
    tarball: 'openbao-v2.4.4.tar.gz',
    origin: 'github.com/openbao/openbao, tag v2.4.4, commit 4bfd70723d4f9b82be00e87b8c018ac661dd9b99',
    sha256: '1cf095dd40ee00588c80a14ed444c24aaf714638efd6cef51c7b1f737d4fc228',
    version: '2.4.4',
    // Built plainly it calls itself 2.0.0-HEAD.
    program: { name: 'bao', package: '.', ldflags: '-s -w -X github.com/openbao/openbao/version.fullVersion=2.4.4 -X github.com/openbao/openbao/version.GitCommit=4bfd70723d4f9b82be00e87b8c018ac661dd9b99' },
  },
] as const satisfies readonly ThirdPartySource[];

/** The chart `pushgateway.deploy` pins, served here from a loopback chart repository. */
export const PUSHGATEWAY_CHART = {
  file: 'prometheus-pushgateway-3.2.0.tgz',
  sha256: '37d981890a17c188edbee9c41d8236933381da7d66c35c0031f3d00dea9ac4c6',
  version: '3.2.0',
  origin: 'github.com/prometheus-community/helm-charts, tag prometheus-pushgateway-3.2.0, folder charts/prometheus-pushgateway packed by helm package',
} as const;

/** Where the release sources are: `CLAUDE_OAUTH_TOKENS_THIRD_PARTY`, default `../shared/third-party` beside the clone. */
export function thirdPartyDir(): string {
  return path.resolve(REPO_ROOT, process.env.CLAUDE_OAUTH_TOKENS_THIRD_PARTY ?? '../shared/third-party');
}

/** The file `name` of the sources folder, its sha256 verified; a clear error, naming where it comes from, when absent or different. */
export function verifiedSource(name: string, sha256: string, origin: string): string {
  const file = path.join(thirdPartyDir(), name);
  if (!existsSync(file)) {
    throw new Error(
      `${name} is not in ${thirdPartyDir()}: the cluster suite builds it from there. Set CLAUDE_OAUTH_TOKENS_THIRD_PARTY to the folder holding ` +
        `the release sources, or put it there: the source of ${origin}, sha256 ${sha256} (docs/development.md#the-cluster-suite).`,
    );
  }
  const actual = createHash('sha256').update(readFileSync(file)).digest('hex');
  if (actual !== sha256) throw new Error(`${file} has sha256 ${actual}, not the pinned ${sha256}: refusing to build it.`);
  return file;
}

function binDir(source: ThirdPartySource): string {
  return path.join(cacheRoot(), 'bin', `${source.tarball.replace(/\.tar\.gz$/, '')}-${goVersion()}-${source.sha256.slice(0, 12)}`);
}

/** The built binary of a source named by its program (e.g. `bao`). */
export function thirdPartyProgram(name: (typeof THIRD_PARTY)[number]['program']['name']): string {
  const source: ThirdPartySource = THIRD_PARTY.find((entry) => entry.program.name === name)!;
  return builtProgram(binDir(source), name, source.version, 'npm run build:go-tools -- --cluster');
}

/** Verifies, unpacks (into the cache, by sha256) and builds one source, unless already built. */
export function buildThirdParty(source: ThirdPartySource, log: (line: string) => void): void {
  const dir = binDir(source);
  if (existsSync(path.join(dir, '.complete'))) {
    log(`${source.tarball}: cached in ${dir}`);
    return;
  }
  const tarball = verifiedSource(source.tarball, source.sha256, source.origin);
  const top = source.tarball.replace(/\.tar\.gz$/, '');
  const srcRoot = path.join(cacheRoot(), 'src', `${top}-${source.sha256.slice(0, 12)}`);
  if (!existsSync(path.join(srcRoot, top, 'go.mod'))) {
    const unpacking = `${srcRoot}.unpacking-${process.pid}`;
    rmSync(unpacking, { recursive: true, force: true });
    mkdirSync(unpacking, { recursive: true });
    const untar = spawnSync('tar', ['-xzf', tarball, '-C', unpacking], { encoding: 'utf8' });
    if (untar.status !== 0) throw new Error(`tar -xzf ${tarball} failed: ${untar.stderr}`);
    rmSync(srcRoot, { recursive: true, force: true });
    renameSync(unpacking, srcRoot);
  }
  buildCached(`${source.tarball}`, dir, path.join(srcRoot, top), [source.program], log);
}
