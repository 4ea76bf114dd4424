/**
 * Reading and editing the epoch map for the `tokens` commands: every edit validated as synth
 * validates it and written under the map's lock, or nothing written.
 */
import { inventorySettingsOf } from '../settings/vault-setting';
import { existsSync } from 'fs';
import * as path from 'path';
import { EpochMapDocument, EpochMapError, mintEpochsOf, readEpochMap, readEpochMapFile } from '../inventory/epoch-map-file';
import { EpochSeconds, isoUtc } from '../inventory/expiry';
import { buildTokenInventory, TokenInventory } from '../inventory/token-inventory';
import { tokenExternalSecretName } from '../settings/token-consumers';
import { LockBusyError, LockLostError, withFileLock, writeFileAtomically } from './file-lock';
import { AppSettings, DEFAULT_SETTINGS } from '../settings/app-settings';
import { CliError, CliIo, TokensExit } from './tokens-io';

export function fileNameOf(io: CliIo): string {
  return path.relative(io.relativeTo ?? process.cwd(), io.epochMapFile) || io.epochMapFile;
}

/** The map as the one reader reads it (the same as synth's). */
export function readMap(io: CliIo): EpochMapDocument {
  const fileName = fileNameOf(io);
  const text = asCliError(() => readEpochMapFile(io.epochMapFile, fileName));
  return asCliError(() => readEpochMap({ fileName, text }));
}

/** The inventory the document describes, validated exactly as synth validates it, with the settings' thresholds. */
export function inventoryOf(document: EpochMapDocument, now: EpochSeconds, settings: AppSettings = DEFAULT_SETTINGS): TokenInventory {
  return asCliError(() => buildTokenInventory(mintEpochsOf(document), { now, document, ...inventorySettingsOf(settings) }));
}

export function asCliError<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof EpochMapError) throw new CliError(`${error.message}\nNothing was written.`, TokensExit.invalidMap);
    throw error;
  }
}

/** The edit's new text and inventory, checked as editMap checks them, without writing anything. */
export function plannedEdit(io: CliIo, edit: (document: EpochMapDocument) => { text: string; expected: Record<string, number> }): { text: string; inventory: TokenInventory } {
  const { text, expected } = edit(readMap(io));
  const reread = asCliError(() => readEpochMap({ fileName: fileNameOf(io), text }));
  if (JSON.stringify(mintEpochsOf(reread)) !== JSON.stringify(expected)) {
    throw new CliError(`the edit would not read back as intended (${JSON.stringify(mintEpochsOf(reread))}); nothing was written.`, TokensExit.invalidMap);
  }
  return { text, inventory: inventoryOf(reread, io.now(), io.settings) };
}

/**
 * Applies one edit under the map's lock: re-reads the file (another run may have just changed it),
 * builds the new text, checks that the one reader reads back exactly the intended map and that it
 * validates as synth would, and only then replaces the file atomically.
 */
export function editMap(io: CliIo, edit: (document: EpochMapDocument) => { text: string; expected: Record<string, number> }): TokenInventory {
  // A missing map (or its folder) is said as such, not as the lock that could not be made beside it;
  // an existing one is read once, under the lock.
  if (!existsSync(io.epochMapFile)) readMap(io);
  try {
    return withFileLock(io.epochMapFile, (stillHeld) => {
      const { text, inventory } = plannedEdit(io, edit);
      stillHeld();
      writeFileAtomically(io.epochMapFile, text);
      return inventory;
    });
  } catch (error) {
    if (error instanceof LockBusyError || error instanceof LockLostError) throw new CliError(error.message, TokensExit.usage);
    throw error;
  }
}

/** The date comment of a new line; a value the inventory will refuse anyway may be past Date's range. */
export function safeIsoUtc(seconds: EpochSeconds): string {
  return Math.abs(seconds) < 8.64e12 ? isoUtc(seconds) : 'not a date';
}

/** The token's namespace and ExternalSecret under these settings. */
export function deliveryOf(settings: AppSettings): { namespace: string; externalSecret: string } {
  return { namespace: settings.namespace, externalSecret: tokenExternalSecretName(settings) };
}
