import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'fs';
import { homedir } from 'os';
import * as path from 'path';

const REPO_ROOT = path.resolve(__dirname, '..');

/** One program of a tools module: its binary's name, its Go package, and its link flags. */
export interface GoProgram {
  readonly name: string;
  readonly package: string;
  readonly ldflags?: string;
}

/** A Go module under `gotools/` that pins real programs (and any checker of ours) by version. */
export interface GoToolsModule {
  /** Its folder under `gotools/`. */
  readonly dir: string;
  /** The version of what it builds, for the cache folder's name. */
  readonly version: string;
  readonly programs: readonly GoProgram[];
}

export const GO_TOOLS = {
  opentofu: {
    dir: 'opentofu',
    version: 'v1.10.10',
    programs: [
      // Without version.dev=no the binary calls itself a -dev build.
      { name: 'tofu', package: 'github.com/opentofu/opentofu/cmd/tofu', ldflags: '-s -w -X github.com/opentofu/opentofu/version.dev=no' },
      { name: 'tfjson-templates', package: './cmd/tfjson-templates', ldflags: '-s -w' },
    ],
  },
} as const satisfies Record<string, GoToolsModule>;

export type GoToolsName = keyof typeof GO_TOOLS;

/**
 * Where the Go caches and the built binaries live: outside the clone, so a new clone on a warm
 * machine rebuilds nothing (`CLAUDE_OAUTH_TOKENS_CACHE`, default `~/.cache/claude-oauth-tokens`).
 */
export function cacheRoot(): string {
  return process.env.CLAUDE_OAUTH_TOKENS_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'claude-oauth-tokens');
}

let knownGoVersion: string | undefined;

/** `go env GOVERSION`, asked once per process (each program lookup keys its folder by it). */
function goVersion(): string {
  if (knownGoVersion) return knownGoVersion;
  const result = spawnSync('go', ['env', 'GOVERSION'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new Error('The Go toolchain is not on PATH: the real OpenTofu is built from source with Go 1.26 (docs/development.md).');
  }
  knownGoVersion = result.stdout.trim();
  return knownGoVersion;
}

/** The binaries' folder: named by the version and keyed by go.mod, go.sum, the programs and Go's version. */
export function goToolsBinDir(name: GoToolsName, go = goVersion()): string {
  const module = GO_TOOLS[name];
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
  const dir = goToolsBinDir(name);
  const binary = path.join(dir, program);
  if (!existsSync(path.join(dir, COMPLETE))) {
    throw new Error(`${program} (${GO_TOOLS[name].version}) is not built in ${dir}: run \`npm run build:go-tools\` (the first build takes minutes; docs/development.md).`);
  }
  return binary;
}

/** Written last into a binaries' folder: without it the folder is an interrupted build. */
const COMPLETE = '.complete';

/** Builds each module whose binaries are not cached yet; returns what it did, one line a module. */
export function buildGoTools(names: readonly GoToolsName[] = Object.keys(GO_TOOLS) as GoToolsName[], log: (line: string) => void = console.log): void {
  const go = goVersion();
  const env = {
    ...process.env,
    GOMODCACHE: path.join(cacheRoot(), 'go', 'mod'),
    GOCACHE: path.join(cacheRoot(), 'go', `build-${go}`),
    GOFLAGS: '-mod=readonly -buildvcs=false',
    GOTOOLCHAIN: 'local',
    CGO_ENABLED: '0',
  };
  for (const name of names) {
    const module = GO_TOOLS[name];
    const dir = goToolsBinDir(name, go);
    if (existsSync(path.join(dir, COMPLETE))) {
      log(`${module.dir} ${module.version}: cached in ${dir}`);
      continue;
    }
    const started = Date.now();
    const building = `${dir}.building-${process.pid}`;
    rmSync(building, { recursive: true, force: true });
    mkdirSync(building, { recursive: true });
    for (const program of module.programs) {
      const args = ['build', '-trimpath', ...(program.ldflags ? ['-ldflags', program.ldflags] : []), '-o', path.join(building, program.name), program.package];
      const result = spawnSync('go', args, { cwd: path.join(REPO_ROOT, 'gotools', module.dir), env, stdio: ['ignore', 'inherit', 'inherit'] });
      if (result.status !== 0) {
        rmSync(building, { recursive: true, force: true });
        throw new Error(`go ${args.join(' ')} failed in gotools/${module.dir} (exit ${result.status ?? result.signal}); nothing was cached.`);
      }
    }
    writeFileSync(path.join(building, COMPLETE), `${new Date().toISOString()}\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(building, dir);
    log(`${module.dir} ${module.version}: built in ${Math.round((Date.now() - started) / 1000)} s into ${dir}`);
  }
}

if (require.main === module) {
  if (process.argv.includes('--help')) {
    console.log(
      `Usage: npm run build:go-tools\n\nBuilds the Go programs the tests run (gotools/: OpenTofu and its template checker), once per version,\n` +
        `into ${cacheRoot()}/bin (CLAUDE_OAUTH_TOKENS_CACHE moves it). The first build takes minutes; later ones, a second.\n\nExample: npm run build:go-tools`,
    );
    process.exit(0);
  }
  try {
    buildGoTools();
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}
