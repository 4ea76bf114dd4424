/**
 * `npm run check`'s command line: its help, its options, and the error for a check that cannot run.
 */
import * as path from 'path';
import { parseArgs as parseCommandLine } from 'util';
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

const USAGE_LINE = 'Usage: npm run check -- [--base <git ref>] [--format markdown|text] [--allow-expiring] [--no-cache] [--details] [--crd-dir <dir>]';

/** The check's command line, by Node's own parser (strict), each refusal in this tool's words. */
export function parseOptions(argv: readonly string[], project: { readonly projectDir: string; readonly crdSchemaDir?: string }): CheckOptions {
  let values: { base?: string; format?: string; 'allow-expiring'?: boolean; 'no-cache'?: boolean; details?: boolean; 'crd-dir'?: string };
  try {
    values = parseCommandLine({
      args: [...argv],
      options: {
        base: { type: 'string' },
        format: { type: 'string' },
        'allow-expiring': { type: 'boolean' },
        'no-cache': { type: 'boolean' },
        details: { type: 'boolean' },
        'crd-dir': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    const { code, message } = error as Error & { code?: string };
    const option = showArgument(/'(-[^' ]*)/.exec(message)?.[1] ?? /'([^']*)'/.exec(message)?.[1] ?? '');
    if (/argument missing|argument is ambiguous/.test(message)) throw new CannotRun(`${option} needs a value.`);
    if (/does not take an argument/.test(message)) throw new CannotRun(`${option} is a switch and takes no value: write ${option} alone, or leave it out.`);
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' || code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new CannotRun(`unknown argument '${option}'. ${USAGE_LINE}`);
    throw new CannotRun(`${showArgument(message)}. ${USAGE_LINE}`);
  }
  const format = values.format ?? 'text';
  if (format !== 'markdown' && format !== 'text') throw new CannotRun(`--format ${showArgument(format)}: use markdown or text.`);
  return {
    base: values.base,
    format,
    allowExpiring: values['allow-expiring'] ?? false,
    useCache: !values['no-cache'],
    crdDir: values['crd-dir'] !== undefined ? path.resolve(values['crd-dir']) : (project.crdSchemaDir ?? path.resolve(project.projectDir, 'schemas/crds')),
    details: values.details ?? false,
  };
}
