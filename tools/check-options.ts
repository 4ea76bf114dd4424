/**
 * `npm run check`'s command line: its help, its options, and the error for a check that cannot run.
 */
import * as path from 'path';
import { redactSecrets, showArgument } from '../inventory/token-shape';
import { ReportFormat } from './check-report';

/** The check itself cannot run (usage, git, CRD dir): exit 2, with this message. */
export class CannotRun extends Error {
  constructor(message: string) {
    super(redactSecrets(message));
  }
}

export interface CheckOptions {
  readonly base?: string;
  /** Reuse the base's output from an earlier run against the same tree. */
  readonly useCache: boolean;
  readonly format: ReportFormat;
  readonly allowExpiring: boolean;
  readonly crdDir: string;
  /** Every changed attribute with Terraform addresses, checksums included. */
  readonly details: boolean;
}

/** What `npm run check -- --help` prints. */
export const CHECK_HELP = `Usage: npm run check -- [--base <git ref>] [--format markdown|text] [--allow-expiring] [--no-cache] [--details] [--crd-dir <dir>]

Synthesizes the working tree and the base (default: the merge-base with origin/main, else HEAD~1) side
by side and reports what a reviewer needs: the token table before -> after, and per stack what is
added, removed and changed. Fails (exit 1) on an invalid map, a CRD-schema violation, a token-shaped
string, or a token in the critical window (unless --allow-expiring); exit 2 when it cannot run.

Example: npm run check -- --base origin/main --format markdown`;

export function parseOptions(argv: readonly string[], project: { readonly projectDir: string; readonly crdSchemaDir?: string }): CheckOptions {
  let base: string | undefined;
  let format: ReportFormat = 'text';
  let allowExpiring = false;
  let useCache = true;
  let details = false;
  let crdDir = project.crdSchemaDir ?? path.resolve(project.projectDir, 'schemas/crds');
  for (let i = 0; i < argv.length; i++) {
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new CannotRun(`${showArgument(argv[i - 1])} needs a value.`);
      return next;
    };
    switch (argv[i]) {
      case '--base':
        base = value();
        break;
      case '--format': {
        const chosen = value();
        if (chosen !== 'markdown' && chosen !== 'text') throw new CannotRun(`--format ${chosen}: use markdown or text.`);
        format = chosen;
        break;
      }
      case '--allow-expiring':
        allowExpiring = true;
        break;
      case '--details':
        details = true;
        break;
      case '--no-cache':
        useCache = false;
        break;
      case '--crd-dir':
        crdDir = path.resolve(value());
        break;
      default:
        throw new CannotRun(`unknown argument '${showArgument(argv[i])}'. Usage: npm run check -- [--base <git ref>] [--format markdown|text] [--allow-expiring] [--no-cache] [--details] [--crd-dir <dir>]`);
    }
  }
  return { base, format, allowExpiring, useCache, crdDir, details };
}
