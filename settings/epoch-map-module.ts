/**
 * The epoch map as synth reads it: the text by the one reader, then the module itself, compiled and
 * run once its text is known to be sound, which must export exactly what the reader read.
 */
import * as path from 'path';
import { runInThisContext } from 'vm';
import { transformSync } from 'esbuild';
import { EPOCH_MAP_EXPORT, EpochMapError, readEpochMapFile } from '../inventory/epoch-map-file';
import { readTokenInventory, TokenInventory } from '../inventory/token-inventory';
import { EPOCH_MAP_FILE } from './project-paths';
import { AppSettings } from './settings-model';
import { inventorySettingsOf } from './vault-setting';

/**
 * The map as the one reader reads it, validated; then the module itself, compiled by esbuild as
 * `npm run synth`'s loader compiles it and run only once its text is known to be sound (a syntax
 * error is reported at its line, not as a loader's stack trace), must export exactly what the reader
 * read.
 */
export function readEpochMapChecked(projectDir: string, settings: Pick<AppSettings, 'expiryThresholds' | 'vault'>): TokenInventory {
  const text = readEpochMapFile(path.join(projectDir, EPOCH_MAP_FILE), EPOCH_MAP_FILE);
  const inventory = readTokenInventory({ fileName: EPOCH_MAP_FILE, text }, inventorySettingsOf(settings));
  let imported: unknown;
  try {
    imported = evaluateModule(text)[EPOCH_MAP_EXPORT];
  } catch (error) {
    throw new EpochMapError([`${EPOCH_MAP_FILE}: the module does not load (${firstLine(error)}); compare it with 'git diff ${EPOCH_MAP_FILE}'.`]);
  }
  const read = Object.fromEntries(inventory.tokens.map((token) => [token.path, token.mintedAt]));
  if (JSON.stringify(imported) !== JSON.stringify(read)) {
    throw new EpochMapError([
      `${EPOCH_MAP_FILE}: the module exports ${JSON.stringify(imported)} but its text reads ${JSON.stringify(read)}; ` +
        `something in the file changes '${EPOCH_MAP_EXPORT}' after its literal. Keep the file to the literal alone.`,
    ]);
  }
  return inventory;
}

/** A TypeScript module's exports, compiled as tools/register-ts.js compiles a module (esbuild, CommonJS); it may require nothing. */
function evaluateModule(text: string): Record<string, unknown> {
  const { code } = transformSync(text, { loader: 'ts', format: 'cjs', target: 'node20', logLevel: 'silent' });
  const module = { exports: {} as Record<string, unknown> };
  const requireNothing = (id: string): never => {
    throw new Error(`it requires '${id}'; the map imports nothing`);
  };
  // Wrapped and run as Node's own CommonJS loader runs a module body.
  const moduleBody = runInThisContext(`(function (module, exports, require) {${code}\n})`, { filename: EPOCH_MAP_FILE }) as (
    module: object,
    exports: object,
    require: (id: string) => never,
  ) => void;
  moduleBody(module, module.exports, requireNothing);
  return module.exports;
}

function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split('\n')[0];
}
