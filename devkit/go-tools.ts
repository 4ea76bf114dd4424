import { createHash } from 'crypto';
import { readFileSync } from 'fs';
import * as path from 'path';
import { buildCached, builtProgram, cacheRoot, GoProgram, goVersion } from './go-build';
import { buildThirdParty, THIRD_PARTY } from './third-party';

export { cacheRoot } from './go-build';
export type { GoProgram } from './go-build';

const REPO_ROOT = path.resolve(__dirname, '..');

/** A Go module under `gotools/` that pins real programs (and any checker of ours) by version. */
export interface GoToolsModule {
  /** Its folder under `gotools/`. */
  readonly dir: string;
  /** The version of what it builds, for the cache folder's name. */
  readonly version: string;
  /** `unit`: `npm test` needs it; `cluster`: only `npm run test:cluster` does. */
  readonly suite: 'unit' | 'cluster';
  readonly programs: readonly GoProgram[];
}

const K8S_VERSION = 'v1.34.4';
/** Without these, the control plane's /version says v0.0.0-master. */
const K8S_LDFLAGS = `-s -w -X k8s.io/component-base/version.gitVersion=${K8S_VERSION} -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=34`;

export const GO_TOOLS = {
  opentofu: {
    dir: 'opentofu',
    version: 'v1.10.10',
    suite: 'unit',
    programs: [
      // Without version.dev=no the binary calls itself a -dev build.
      { name: 'tofu', package: 'github.com/opentofu/opentofu/cmd/tofu', ldflags: '-s -w -X github.com/opentofu/opentofu/version.dev=no' },
      { name: 'tfjson-templates', package: './cmd/tfjson-templates', ldflags: '-s -w' },
    ],
  },
  etcd: {
    dir: 'etcd',
    version: 'v3.6.16',
    suite: 'cluster',
    programs: [{ name: 'etcd', package: 'go.etcd.io/etcd/server/v3', ldflags: '-s -w' }],
  },
  kubernetes: {
    dir: 'kubernetes',
    version: K8S_VERSION,
    suite: 'cluster',
    programs: ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl'].map((name) => ({ name, package: `k8s.io/kubernetes/cmd/${name}`, ldflags: K8S_LDFLAGS })),
  },
  kwok: {
    dir: 'kwok',
    version: 'v0.8.0',
    suite: 'cluster',
    programs: [{ name: 'kwok', package: 'sigs.k8s.io/kwok/cmd/kwok', ldflags: '-s -w' }],
  },
  'external-secrets': {
    dir: 'external-secrets',
    version: 'v0.16.2',
    suite: 'cluster',
    programs: [{ name: 'external-secrets', package: 'github.com/external-secrets/external-secrets', ldflags: '-s -w' }],
  },
} as const satisfies Record<string, GoToolsModule>;

export type GoToolsName = keyof typeof GO_TOOLS;

/** The binaries' folder: named by the version and keyed by go.mod, go.sum, the programs and Go's version. */
export function goToolsBinDir(name: GoToolsName, go = goVersion()): string {
  const module: GoToolsModule = GO_TOOLS[name];
  const moduleDir = path.join(REPO_ROOT, 'gotools', module.dir);
  const key = createHash('sha256')
    .update(readFileSync(path.join(moduleDir, 'go.mod')))
    .update(readFileSync(path.join(moduleDir, 'go.sum')))
    .update(JSON.stringify(module.programs))
    .update(go)
    .digest('hex')
    .slice(0, 12);
  return path.join(cacheRoot(), 'bin', `${module.dir}-${module.version}-${go}-${key}`);
}

/** The path of a built program; a clear error naming the command that builds it when it is not built. */
export function goProgram(name: GoToolsName, program: string): string {
  const module: GoToolsModule = GO_TOOLS[name];
  return builtProgram(goToolsBinDir(name), program, module.version, module.suite === 'unit' ? 'npm run build:go-tools' : 'npm run build:go-tools -- --cluster');
}

/** Builds each module whose binaries are not cached yet, one after another (memory); a line each. */
export function buildGoTools(names: readonly GoToolsName[], log: (line: string) => void = console.log): void {
  for (const name of names) {
    const module: GoToolsModule = GO_TOOLS[name];
    buildCached(`${module.dir} ${module.version}`, goToolsBinDir(name), path.join(REPO_ROOT, 'gotools', module.dir), module.programs, log);
  }
}

/**
 * What `npm test` needs (`unit`), or everything `npm run test:cluster` also needs (`cluster`), one
 * program after another (memory): what the first cluster tests use comes first.
 */
export function buildForSuite(suite: 'unit' | 'cluster', log: (line: string) => void = console.log): void {
  buildGoTools(['opentofu'], log);
  if (suite === 'unit') return;
  buildGoTools(['etcd', 'kubernetes'], log);
  for (const source of THIRD_PARTY) buildThirdParty(source, log);
  buildGoTools(['kwok', 'external-secrets'], log);
}

if (require.main === module) {
  if (process.argv.includes('--help')) {
    console.log(
      `Usage: npm run build:go-tools [-- --cluster]\n\nBuilds the Go programs the tests run, once per version, into ${cacheRoot()}/bin\n` +
        `(CLAUDE_OAUTH_TOKENS_CACHE moves it): gotools/opentofu (OpenTofu and its template checker) for npm test;\n` +
        `with --cluster also etcd, Kubernetes, KWOK and ESO (gotools/) and, from the release sources in\n` +
        `CLAUDE_OAUTH_TOKENS_THIRD_PARTY (default ../shared/third-party), the Terraform providers and OpenBao,\n` +
        `for npm run test:cluster. The first build takes minutes (about 30 for --cluster on 2 cores); later ones, a second.\n\n` +
        `Example: npm run build:go-tools -- --cluster`,
    );
    process.exit(0);
  }
  try {
    buildForSuite(process.argv.includes('--cluster') ? 'cluster' : 'unit');
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}
