/**
 * The one way this project reads a file it is given (settings, the epoch map, a Vault token or CA,
 * the in-cluster scripts' mounted files): a regular file only, opened without blocking, no larger
 * than the caller says, and every failure said in words that name the file and the fix. A FIFO
 * would hang the read, a device or a huge file exhaust it; a raw `ENOENT` helps nobody. No imports
 * beyond Node's: the in-cluster scripts use it too.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'fs';

/** What is being read, for messages: e.g. `settings file cdktf.json` and how to put it right. */
export interface FileToRead {
  /** What the file is and its name as the user knows it, e.g. `the settings file cdktf.json`. */
  readonly label: string;
  /** What to do when it cannot be read, e.g. `restore it from git`. */
  readonly fix: string;
  /** Largest size the file may have; anything larger is refused unread. */
  readonly maxBytes: number;
  /** Refuse a symbolic link (for files this project rewrites, so that an edit never replaces a link). */
  readonly refuseLinks?: boolean;
}

/** Why a file was refused, for a caller that words it its own way (a mounted entry, say). */
export type UnreadableKind = 'unopened' | 'folder' | 'not-regular' | 'too-large' | 'unreadable';

/** A file could not be read as given; the message names it, says why in words, and the fix. */
export class UnreadableFileError extends Error {
  constructor(
    readonly file: FileToRead,
    readonly reason: string,
    readonly kind: UnreadableKind,
    /** The errno code of a failed open or read; the size of a file too large. */
    readonly details: { readonly code?: string; readonly size?: number } = {},
  ) {
    super(`${file.label} ${reason}: ${file.fix}.`);
    this.name = 'UnreadableFileError';
  }
}

/** Why an open or a read failed, in words, for the codes a user can meet. */
export function describeFileError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT':
      return 'does not exist';
    case 'ENOTDIR':
      return 'is under something that is not a folder';
    case 'EACCES':
    case 'EPERM':
      return 'may not be read by this user (permission denied)';
    case 'EISDIR':
      return 'is a folder, not a file';
    case 'ELOOP':
      return 'is a symbolic link';
    case 'EMFILE':
    case 'ENFILE':
      return 'cannot be opened: too many files are open';
    default:
      return `cannot be read (${code ?? String(error)})`;
  }
}

/** `file`'s text (UTF-8), or {@link UnreadableFileError} when it is missing, not a regular file, too large or unreadable. */
export function readBoundedFile(path: string, file: FileToRead): string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | (file.refuseLinks ? constants.O_NOFOLLOW : 0));
  } catch (error) {
    throw new UnreadableFileError(file, describeFileError(error), 'unopened', { code: (error as NodeJS.ErrnoException)?.code });
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new UnreadableFileError(file, 'is a folder, not a file', 'folder');
    if (!stat.isFile()) throw new UnreadableFileError(file, 'is not a regular file (a FIFO, socket or device, which a read would hang on or never finish)', 'not-regular');
    if (stat.size > file.maxBytes) {
      throw new UnreadableFileError(file, `has ${stat.size.toLocaleString('en-US')} bytes, more than the largest allowed (${file.maxBytes.toLocaleString('en-US')})`, 'too-large', { size: stat.size });
    }
    const buffer = Buffer.alloc(stat.size);
    let read = 0;
    while (read < stat.size) {
      const got = readSync(fd, buffer, read, stat.size - read, read);
      if (got === 0) break;
      read += got;
    }
    return buffer.subarray(0, read).toString('utf8');
  } catch (error) {
    if (error instanceof UnreadableFileError) throw error;
    throw new UnreadableFileError(file, describeFileError(error), 'unreadable', { code: (error as NodeJS.ErrnoException)?.code });
  } finally {
    closeSync(fd);
  }
}
