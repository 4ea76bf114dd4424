import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { epochSeconds } from '../../inventory/expiry';
import { runTokens } from '../../tools/tokens';

export const HEAD = 'export const TOKEN_MINT_EPOCHS: Readonly<Record<string, number>> = {';
export const EXAMPLE = [HEAD, '  primary: 1776528429, // 2026-04-18T16:07:09Z', "  'spare-1': 1776528280, // 2026-04-18T16:04:40Z", "  'spare-2': 1776528429, // 2026-04-18T16:07:09Z", '};', ''].join('\n');
/** 2026-11-23T00:00:00Z: every example token is healthy, 146 days left. */
export const NOW = epochSeconds(Date.UTC(2026, 10, 23) / 1000);

/** One epoch map in a folder of its own, and the tokens CLI run in-process against it. */
export class MapFolder {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'tokens-cli-'));
  readonly file = path.join(this.dir, 'token-mint-epochs.ts');

  constructor(text = EXAMPLE) {
    writeFileSync(this.file, text);
  }

  get text(): string {
    return readFileSync(this.file, 'utf8');
  }

  async run(argv: string[], stdin = ''): Promise<{ status: number; stdout: string; stderr: string }> {
    let [stdout, stderr] = ['', ''];
    const status = await runTokens(argv, {
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
      stdin: () => stdin,
      now: () => NOW,
      epochMapFile: this.file,
    });
    return { status, stdout, stderr };
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
