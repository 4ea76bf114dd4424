import { readdirSync, statSync } from 'fs';
import * as path from 'path';
import { describeFileError, readBoundedFile, UnreadableFileError } from '../inventory/bounded-file';
import { tokenPathProblem } from '../inventory/token-path';
import { looksLikeToken, showArgument } from '../inventory/token-shape';

/** Bad settings, or a missing, empty or bad mounted map: nothing may be pushed. */
export class ScriptInputError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.length === 1 ? problems[0] : `${problems.length} problems:\n${listed(problems)}`);
    this.name = 'ScriptInputError';
  }
}

/** Most problems one log line lists: 20,000 bad entries must not make a 2 MB line the log pipeline drops. */
export const MAX_LISTED_PROBLEMS = 20;

function listed(problems: readonly string[]): string {
  const shown = problems.slice(0, MAX_LISTED_PROBLEMS).map((problem) => `  - ${problem}`);
  const rest = problems.length - shown.length;
  return [...shown, ...(rest > 0 ? [`  - and ${rest.toLocaleString('en-US')} more (the first ${MAX_LISTED_PROBLEMS} are listed)`] : [])].join('\n');
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
    throw new ScriptInputError([`the ${mount.label} ${directory} ${describeFileError(error)}: ${mount.fix}`]);
  }
  const files: Array<{ path: string; text: string }> = [];
  const problems: string[] = [];
  for (const name of names.filter((entry) => !entry.startsWith('..')).sort()) {
    const file = path.join(directory, name);
    const kind = entryKind(file);
    const pathProblem = tokenPathProblem(name);
    if (pathProblem && looksLikeToken(name)) problems.push(`entry '${showArgument(name)}' ${pathProblem}`);
    else if (pathProblem) problems.push(`entry '${showArgument(name)}' is not a token path and does not belong in the ${mount.label}: remove it.`);
    else if (kind === 'directory') problems.push(`entry '${showArgument(name)}' is a directory, not a file: a ${mount.label} holds one file per token; remove it.`);
    else if (kind === 'broken') problems.push(`entry '${showArgument(name)}' is a link to nothing: remove it, or remount the ${mount.label}.`);
    else {
      const read = readEntryFile(file);
      if ('problem' in read) problems.push(`entry '${showArgument(name)}' ${read.problem}`);
      else files.push({ path: name, text: read.text });
    }
  }
  return { files, problems };
}

/** More than this in one entry is no expiry (ten digits) nor token (108 characters). */
export const MAX_ENTRY_BYTES = 4096;

/**
 * An entry's text, read only if it is a regular file no larger than {@link MAX_ENTRY_BYTES} (the one
 * bounded reader: a FIFO would hang the run, a device or a huge file exhaust it, and neither is what
 * the kubelet mounts), or what is wrong with it, worded for a mounted ConfigMap.
 */
function readEntryFile(file: string): { text: string } | { problem: string } {
  try {
    return { text: readBoundedFile(file, { label: 'entry', fix: 'regenerate the ConfigMap with a deploy', maxBytes: MAX_ENTRY_BYTES }) };
  } catch (error) {
    if (!(error instanceof UnreadableFileError)) throw error;
    switch (error.kind) {
      case 'folder':
      case 'not-regular':
        return { problem: 'is not a regular file (a FIFO, socket or device): a mounted ConfigMap holds files; remove it.' };
      case 'too-large':
        return { problem: `has ${error.details.size} bytes, more than any entry (${MAX_ENTRY_BYTES}): regenerate the ConfigMap with a deploy.` };
      case 'unopened':
        return { problem: `cannot be read (${error.details.code ?? 'error'}): check the volume's defaultMode and the pod's user.` };
      case 'unreadable':
        return { problem: `cannot be read (${error.details.code ?? 'error'}).` };
    }
  }
}

/** What a mount entry is, following links as the kubelet's `<key> -> ..data/<key>` ones must be followed. */
function entryKind(file: string): 'file' | 'directory' | 'broken' {
  try {
    return statSync(file).isDirectory() ? 'directory' : 'file';
  } catch {
    return 'broken';
  }
}
