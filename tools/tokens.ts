/**
 * `npm run tokens -- <command>`: the rotation-day tool. Offline; reads and edits only the epoch map.
 *
 * Exit codes: 0 done; 1 usage error; 2 the map (as it is, or as the edit would leave it) is invalid,
 * nothing written; 3 `status --fail-under-days N` found a token with fewer days left.
 * `probe`: 0 valid, 2 rejected, 3 unknown, 1 usage error.
 */
import { readFileSync } from 'fs';
import * as path from 'path';
import { nowInSeconds } from '../inventory/expiry';
import { looksLikeToken, redactSecrets, showArgument } from '../inventory/token-shape';
import { AppSettings, SettingsError } from '../settings/app-settings';
import { readProjectSettings } from '../settings/settings-file';
import { EPOCH_MAP_FILE, REPO_ROOT } from '../settings/project-paths';
import { CliError, CliIo, TokensExit } from './tokens-io';
import { COMMAND_HELP, USAGE } from './tokens-help';
import { parseArgs } from './tokens-args';
import { rotate } from './tokens-rotate';
import { probe, promote, remove, status } from './tokens-commands';
import { readStandardInput } from './terminal-input';

export { CliError, ProbeExit, TokensExit } from './tokens-io';
export type { CliIo } from './tokens-io';

export function runTokensCli(argv: readonly string[], cliIo: CliIo): number | Promise<number> {
  const io: CliIo = { ...cliIo, stdout: (text) => cliIo.stdout(redactSecrets(text)) };
  const [command, ...rest] = argv;
  // Checked before anything else: a token in argv is already in the shell's history and `ps`.
  const credential = argv.find((arg) => looksLikeToken(arg));
  if (credential !== undefined) {
    throw new CliError(
      `an argument is a credential (${showArgument(credential)}): never pass a token on the command line ` +
        "(it is now in your shell history, was visible to ps and, run through npm, is in npm's debug log under ~/.npm/_logs: delete that file). " +
        "Nothing was done. 'probe' reads it from standard input (node bin/tokens.js probe --stdin); rotate this token if it was real.",
      TokensExit.usage,
    );
  }
  // Through npm the terminal echoes for as long as npm starts (a paste shows whole), and npm logs argv.
  if (cliIo.env?.npm_lifecycle_event === 'tokens' && (command === 'probe' || rest.includes('--store')) && !rest.includes('--help')) {
    throw new CliError(
      `'${command}${command === 'probe' ? '' : ' --store'}' reads a token, and through npm the terminal shows a paste that arrives before the prompt. ` +
        `Run it without npm: node bin/tokens.js ${argv.map(showArgument).join(' ')}`,
      TokensExit.usage,
    );
  }
  if (command !== undefined && Object.hasOwn(COMMAND_HELP, command) && (rest.includes('--help') || rest.includes('-h'))) {
    io.stdout(`${COMMAND_HELP[command]}\n`);
    return TokensExit.ok;
  }
  if (command === 'help' && rest.length === 1 && Object.hasOwn(COMMAND_HELP, rest[0])) {
    io.stdout(`${COMMAND_HELP[rest[0]]}\n`);
    return TokensExit.ok;
  }
  if (command === 'help' && rest.length > 0) {
    throw new CliError(`no help on '${showArgument(rest.join(' '))}': the commands are ${Object.keys(COMMAND_HELP).join(', ')} (e.g. help rotate).`, TokensExit.usage);
  }
  const { positional, options } = parseArgs(rest, command);
  switch (command) {
    case 'status':
      return status(positional, options, io);
    case 'rotate':
      return rotate(positional, options, io);
    case 'remove':
      return remove(positional, options, io);
    case 'promote':
      return promote(positional, options, io);
    case 'probe':
      return probe(positional, options, io);
    case '--version':
    case 'version':
      io.stdout(`claude-oauth-tokens ${projectVersion()}\n`);
      return TokensExit.ok;
    case undefined:
    case 'help':
    case '-h':
    case '--help':
      io.stdout(`${USAGE}\n`);
      return command === undefined ? TokensExit.usage : TokensExit.ok;
    default:
      throw new CliError(`unknown command '${showArgument(command)}'.\n\n${USAGE}`, TokensExit.usage);
  }
}

/** This project's version, as package.json gives it. */
function projectVersion(): string {
  return (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * Runs one command as the command line does: every failure becomes its exit code and one message on
 * `stderr` (redacted; no stack trace). Tests call this in-process.
 */
export async function runTokens(argv: readonly string[], io: CliIo & { readonly stderr: (text: string) => void }): Promise<number> {
  try {
    return await runTokensCli(argv, io);
  } catch (error) {
    if (error instanceof CliError) {
      io.stderr(redactSecrets(`tokens: ${error.message}\n`));
      return error.exitCode;
    }
    io.stderr(redactSecrets(`tokens: failed: ${(error as Error)?.message ?? error}\n`));
    return TokensExit.usage;
  }
}

/** Where a `tokens` run works: a project folder (its cdktf.json and map), the environment's context, and its streams. */
export interface ProjectRun extends Omit<CliIo, 'settings' | 'epochMapFile' | 'relativeTo'> {
  readonly projectDir: string;
  /** Settings on top of cdktf.json's context, as JSON (what `CDKTF_CONTEXT_JSON` holds). */
  readonly contextOverride?: string;
  readonly stderr: (text: string) => void;
}

/**
 * Runs one command in a project folder, as `npm run tokens` does there: the settings read as synth
 * reads them (a bad cdktf.json is a usage error naming it), the map at its place in the folder.
 */
export async function runTokensInProject(argv: readonly string[], run: ProjectRun): Promise<number> {
  let settings: AppSettings;
  try {
    settings = readProjectSettings(run.projectDir, run.contextOverride);
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    run.stderr(redactSecrets(`tokens: ${error.message}\n`));
    return TokensExit.usage;
  }
  return runTokens(argv, { ...run, settings, epochMapFile: path.join(run.projectDir, EPOCH_MAP_FILE), relativeTo: run.projectDir });
}

/** The command-line entry point (npm run tokens, and the `tokens` bin). */
export async function main(): Promise<void> {
  process.exitCode = await runTokensInProject(process.argv.slice(2), {
    projectDir: REPO_ROOT,
    contextOverride: process.env.CDKTF_CONTEXT_JSON,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stdin: readStandardInput,
    now: nowInSeconds,
    env: process.env,
  });
}

if (require.main === module) void main();
