import { mkdirSync, mkdtempSync, readdirSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';

/**
 * A directory laid out as the kubelet mounts a ConfigMap volume: the data in a timestamped
 * `..2026_11_23_08_00_00.123456789` directory, `..data` a symlink to it, and one symlink per key
 * pointing into `..data`. `update` swaps the data atomically, as the kubelet does.
 */
export class ConfigMapMount {
  readonly dir: string;
  private generation = 0;

  constructor(data: Record<string, string>) {
    this.dir = mkdtempSync(path.join(tmpdir(), 'configmap-mount-'));
    this.update(data);
  }

  update(data: Record<string, string>): void {
    const stamp = `..2026_11_23_08_00_0${this.generation++}.123456789`;
    mkdirSync(path.join(this.dir, stamp));
    for (const [key, value] of Object.entries(data)) writeFileSync(path.join(this.dir, stamp, key), value);
    let previous: string | undefined;
    try {
      previous = readlinkSync(path.join(this.dir, '..data'));
    } catch {
      previous = undefined;
    }
    symlinkSync(stamp, path.join(this.dir, '..data_tmp'));
    renameSync(path.join(this.dir, '..data_tmp'), path.join(this.dir, '..data'));
    for (const key of Object.keys(data)) {
      rmSync(path.join(this.dir, key), { force: true });
      symlinkSync(path.join('..data', key), path.join(this.dir, key));
    }
    if (previous) {
      for (const key of readdirSync(path.join(this.dir, previous))) {
        if (!(key in data)) rmSync(path.join(this.dir, key), { force: true });
      }
      rmSync(path.join(this.dir, previous), { recursive: true, force: true });
    }
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
