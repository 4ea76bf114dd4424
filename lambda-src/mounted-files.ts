import { readdirSync, readFileSync, statSync } from 'fs';
import * as path from 'path';
import { tokenPathProblem } from '../inventory/token-path';
import { looksLikeToken } from '../inventory/token-shape';

/** Bad settings, or a missing, empty or bad mounted map: nothing may be pushed. */
export class ScriptInputError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.length === 1 ? problems[0] : `${problems.length} problems:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ScriptInputError';
  }
}

/** What the mounted directory holds, for messages: e.g. `expiry directory` and how to mount it. */
export interface MountDescription {
  readonly label: string;
  readonly fix: string;
}

/**
 * The files of a ConfigMap or Secret volume, one per token path, in path order. The kubelet's atomic
 * writer also leaves `..data` and `..<timestamp>` entries there, which are never tokens. Keys that
 * cannot be token paths come back as problems; an unreadable directory throws.
 */
export function readMountedTokenFiles(directory: string, mount: MountDescription): { files: Array<{ path: string; text: string }>; problems: string[] } {
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch (error) {
    throw new ScriptInputError([`cannot read the ${mount.label} ${directory} (${(error as NodeJS.ErrnoException).code ?? 'error'}): ${mount.fix}`]);
  }
  const files: Array<{ path: string; text: string }> = [];
  const problems: string[] = [];
  for (const name of names.filter((entry) => !entry.startsWith('..')).sort()) {
    const file = path.join(directory, name);
    const kind = entryKind(file);
    const pathProblem = tokenPathProblem(name);
    if (pathProblem && looksLikeToken(name)) problems.push(`entry '${name}' ${pathProblem}`);
    else if (pathProblem) problems.push(`entry '${name}' is not a token path and does not belong in the ${mount.label}: remove it.`);
    else if (kind === 'directory') problems.push(`entry '${name}' is a directory, not a file: a ${mount.label} holds one file per token; remove it.`);
    else if (kind === 'broken') problems.push(`entry '${name}' is a link to nothing: remove it, or remount the ${mount.label}.`);
    else files.push({ path: name, text: readFileSync(file, 'utf8') });
  }
  return { files, problems };
}

/** What a mount entry is, following links as the kubelet's `<key> -> ..data/<key>` ones must be followed. */
function entryKind(file: string): 'file' | 'directory' | 'broken' {
  try {
    return statSync(file).isDirectory() ? 'directory' : 'file';
  } catch {
    return 'broken';
  }
}
