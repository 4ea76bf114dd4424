import { spawnSync } from 'child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'fs';
import { homedir } from 'os';
import * as path from 'path';

/** One program of a Go module: its binary's name, its Go package, and its link flags. */
export interface GoProgram {
  readonly name: string;
  readonly package: string;
  readonly ldflags?: string;
}

/**
 * Where the Go caches and the built binaries live: outside the clone, so a new clone on a warm
 * machine rebuilds nothing (`CLAUDE_OAUTH_TOKENS_CACHE`, default `~/.cache/claude-oauth-tokens`).
 */
export function cacheRoot(): string {
  return process.env.CLAUDE_OAUTH_TOKENS_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'claude-oauth-tokens');
}

let knownGoVersion: string | undefined;

/** `go env GOVERSION`, asked once per process (each program lookup keys its folder by it). */
export function goVersion(): string {
  if (knownGoVersion) return knownGoVersion;
  const result = spawnSync('go', ['env', 'GOVERSION'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new Error('The Go toolchain is not on PATH: the real OpenTofu (and the cluster suite\'s programs) are built from source with Go 1.26 (docs/development.md).');
  }
  knownGoVersion = result.stdout.trim();
  return knownGoVersion;
}

/** Written last into a binaries' folder: without it the folder is an interrupted build. */
const COMPLETE = '.complete';

/** Whether `dir` holds a finished build. */
export function isBuilt(dir: string): boolean {
  return existsSync(path.join(dir, COMPLETE));
}

/** The path of `program` in the finished build `dir`; a clear error naming the command that builds it. */
export function builtProgram(dir: string, program: string, what: string, buildCommand: string): string {
  if (!isBuilt(dir)) {
    throw new Error(`${program} (${what}) is not built in ${dir}: run \`${buildCommand}\` (the first build takes minutes; docs/development.md).`);
  }
  return path.join(dir, program);
}

/**
 * Builds `programs` from the Go module in `moduleDir` into `dir`, unless it holds a finished build.
 * The module and build caches live under the cache root; the folder appears only when every program
 * built (an interrupted build leaves nothing that looks finished).
 */
export function buildCached(label: string, dir: string, moduleDir: string, programs: readonly GoProgram[], log: (line: string) => void): void {
  if (isBuilt(dir)) {
    log(`${label}: cached in ${dir}`);
    return;
  }
  const go = goVersion();
  const env = {
    ...process.env,
    GOMODCACHE: path.join(cacheRoot(), 'go', 'mod'),
    GOCACHE: path.join(cacheRoot(), 'go', `build-${go}`),
    GOFLAGS: '-mod=readonly -buildvcs=false',
    GOTOOLCHAIN: 'local',
    CGO_ENABLED: '0',
  };
  const started = Date.now();
  const building = `${dir}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building, { recursive: true });
  for (const program of programs) {
    // -pgo=off: profile-guided builds of these large programs cost minutes and nothing the tests need.
    const args = ['build', '-trimpath', '-pgo=off', ...(program.ldflags ? ['-ldflags', program.ldflags] : []), '-o', path.join(building, program.name), program.package];
    const result = spawnSync('go', args, { cwd: moduleDir, env, stdio: ['ignore', 'inherit', 'inherit'] });
    if (result.status !== 0) {
      rmSync(building, { recursive: true, force: true });
      throw new Error(`go ${args.join(' ')} failed in ${moduleDir} (exit ${result.status ?? result.signal}); nothing was cached.`);
    }
  }
  writeFileSync(path.join(building, COMPLETE), `${new Date().toISOString()}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(building, dir);
  log(`${label}: built in ${Math.round((Date.now() - started) / 1000)} s into ${dir}`);
}
