import { createHash } from 'crypto';
import * as path from 'path';
import { buildSync } from 'esbuild';

/** A lambda-src program as shipped: one self-contained CommonJS file for a stock Node image. */
export interface ScriptBundle {
  readonly code: string;
  /** Hex sha256 of `code`. */
  readonly sha256: string;
  /** Source files that went in, relative to the repository root. */
  readonly inputs: readonly string[];
}

/** Every program the stacks ship, bundled once by the app and passed down as props. */
export interface ScriptBundles {
  /** The expiry monitor (`lambda-src/index.ts`). */
  readonly monitor: ScriptBundle;
  /** The live token probe (`lambda-src/probe-entry.ts`). */
  readonly probe: ScriptBundle;
  /** The deploy-time agent restart (`lambda-src/restart-entry.ts`). */
  readonly restartAgents: ScriptBundle;
}

const REPO_ROOT = path.resolve(__dirname, '..');
export const SCRIPT_ENTRY_POINTS: Readonly<Record<keyof ScriptBundles, string>> = {
  monitor: path.join(REPO_ROOT, 'lambda-src', 'index.ts'),
  probe: path.join(REPO_ROOT, 'lambda-src', 'probe-entry.ts'),
  restartAgents: path.join(REPO_ROOT, 'lambda-src', 'restart-entry.ts'),
};

/**
 * Bundles a lambda-src entry point with esbuild. Readable (not minified) so that a reviewer can read
 * the ConfigMap; built relative to the repository root so two checkouts produce the same bytes.
 */
export function bundleScript(entryPoint: string): ScriptBundle {
  const result = buildSync({
    entryPoints: [entryPoint],
    absWorkingDir: REPO_ROOT,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    write: false,
    metafile: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].text;
  return {
    code,
    sha256: createHash('sha256').update(code).digest('hex'),
    inputs: Object.keys(result.metafile.inputs).sort(),
  };
}

/** All three programs. */
export function bundleScripts(): ScriptBundles {
  return {
    monitor: bundleScript(SCRIPT_ENTRY_POINTS.monitor),
    probe: bundleScript(SCRIPT_ENTRY_POINTS.probe),
    restartAgents: bundleScript(SCRIPT_ENTRY_POINTS.restartAgents),
  };
}
