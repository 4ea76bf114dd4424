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

const REPO_ROOT = path.resolve(__dirname, '..');
export const MONITOR_ENTRY_POINT = path.join(REPO_ROOT, 'lambda-src', 'index.ts');

const bundles = new Map<string, ScriptBundle>();

/**
 * Bundles a lambda-src entry point with esbuild. Readable (not minified) so that a reviewer can read
 * the ConfigMap; built relative to the repository root so two checkouts produce the same bytes.
 * Cached per process: every stack and test of one run ships the same file.
 */
export function bundleScript(entryPoint: string = MONITOR_ENTRY_POINT): ScriptBundle {
  const cached = bundles.get(entryPoint);
  if (cached) return cached;
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
  const bundle = {
    code,
    sha256: createHash('sha256').update(code).digest('hex'),
    inputs: Object.keys(result.metafile.inputs).sort(),
  };
  bundles.set(entryPoint, bundle);
  return bundle;
}
