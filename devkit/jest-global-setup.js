// Jest's global setup: the suite's scratch files go to a memory filesystem where the machine has one.
// The suite creates and removes some ten thousand files a run (app copies, git worktrees, Prometheus
// and OpenBao data); on an ext4 disk mounted with `discard`, creating inodes amid that many recent
// deletions cost a quarter of the suite's CPU in the kernel (find_inode_bit, recently_deleted) and made
// its time swing from 49 to 65 s. A TMPDIR you set wins; without /dev/shm (or with less than 2 GB free
// there, as in a container's default 64 MB) the system's temp folder is used as before. Workers start
// after this runs, so they and every program a test starts inherit TMPDIR.
const { lstatSync, mkdirSync, statfsSync } = require('fs');
const path = require('path');

const SHM = '/dev/shm';
const TMPFS_MAGIC = 0x01021994;
const MIN_FREE_BYTES = 2 * 1024 ** 3;

/** A folder of this user's on the memory filesystem, or undefined where there is none fit for use. */
function memoryScratch() {
  try {
    const { type, bavail, bsize } = statfsSync(SHM);
    if (type !== TMPFS_MAGIC || bavail * bsize < MIN_FREE_BYTES) return undefined;
    const dir = path.join(SHM, `claude-oauth-tokens-tests-${process.getuid()}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // /dev/shm is shared: use the folder only if it is ours and no one else's to write.
    const stat = lstatSync(dir);
    if (!stat.isDirectory() || stat.uid !== process.getuid() || (stat.mode & 0o077) !== 0) return undefined;
    return dir;
  } catch {
    return undefined;
  }
}

module.exports = function globalSetup() {
  if (process.env.TMPDIR) return;
  const dir = memoryScratch();
  if (dir) process.env.TMPDIR = dir;
};
