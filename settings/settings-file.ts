/**
 * Where synth, `tokens` and `check` read their settings: the project's cdktf.json (its `context`),
 * with the environment's `CDKTF_CONTEXT_JSON` on top, read the one safe way (inventory/bounded-file.ts).
 */
import * as path from 'path';
import { readBoundedFile, UnreadableFileError } from '../inventory/bounded-file';
import { readAppSettings } from './app-settings';
import { AppSettings, SettingsError } from './settings-model';

export const SETTINGS_FILE = 'cdktf.json';

/** Far above any real cdktf.json (a few kilobytes); a larger file is a mistake, refused unread. */
export const MAX_SETTINGS_BYTES = 1024 * 1024;

/** The project's settings; {@link SettingsError} naming cdktf.json and the fix when it cannot be read or is wrong. */
export function readProjectSettings(projectDir: string, contextOverride?: string): AppSettings {
  let text: string;
  try {
    text = readBoundedFile(path.join(projectDir, SETTINGS_FILE), {
      label: `the settings file ${SETTINGS_FILE}`,
      fix: `restore it from git (git checkout -- ${SETTINGS_FILE}), in ${projectDir}`,
      maxBytes: MAX_SETTINGS_BYTES,
    });
  } catch (error) {
    if (error instanceof UnreadableFileError) throw new SettingsError([error.message]);
    throw error;
  }
  return readAppSettings({ name: SETTINGS_FILE, text }, contextOverride ? { name: 'CDKTF_CONTEXT_JSON', text: contextOverride } : undefined);
}
