/**
 * The `tokens` command line: options and positionals, refused when unknown, repeated or malformed.
 */
import { EpochSeconds } from '../inventory/expiry';
import { tokenPathProblem } from '../inventory/token-path';
import { parseArgs as parseCommandLine } from 'util';
import { showArgument } from '../inventory/token-shape';
import { parseInstant } from './instant';
import { CliError, TokensExit } from './tokens-io';
import { USAGE } from './tokens-help';

export type Options = Map<string, string | true>;

/** Every option of every command: those that take a value, and switches (on by being there). */
const VALUE_OPTIONS = ['fail-under-days', 'at', 'minted-at', 'endpoint', 'output'] as const;
const SWITCHES = ['json', 'add', 'force', 'store', 'record-only', 'skip-probe', 'stdin', 'help'] as const;
/** One-letter spellings, as kubectl and vault have them (`-o json`). */
const SHORT: Readonly<Record<string, string>> = { output: 'o' };
type OptionType = { type: 'string' | 'boolean'; multiple: true; short?: string };
const OPTION_TYPES: Record<string, OptionType> = Object.fromEntries([
  ...VALUE_OPTIONS.map((name) => [name, { type: 'string', multiple: true, ...(SHORT[name] ? { short: SHORT[name] } : {}) }] as const),
  ...SWITCHES.map((name) => [name, { type: 'boolean', multiple: true }] as const),
]) as Record<string, OptionType>;

/**
 * The command line after the command, by Node's own parser (strict: unknown options, a value for a
 * switch and a missing value are refused); each refusal said in this CLI's words, naming `command`.
 * An option given twice is refused too: which one would count is a guess.
 */
export function parseArgs(args: readonly string[], command = 'tokens'): { positional: string[]; options: Options } {
  let parsed: ReturnType<typeof parseCommandLine<{ args: string[]; options: typeof OPTION_TYPES; strict: true; allowPositionals: true }>>;
  try {
    parsed = parseCommandLine({ args: [...args], options: OPTION_TYPES, strict: true, allowPositionals: true });
  } catch (error) {
    throw new CliError(parseErrorMessage(error as Error & { code?: string }, command), TokensExit.usage);
  }
  const options: Options = new Map();
  for (const [name, values] of Object.entries(parsed.values) as Array<[string, Array<string | boolean>]>) {
    if (values.length > 1) throw new CliError(`--${name} is given twice: give it once.`, TokensExit.usage);
    options.set(name, typeof values[0] === 'string' ? values[0] : true);
  }
  return { positional: parsed.positionals, options };
}

/** Node's parse error as this CLI says it (the option shown escaped and cut, never raw). */
function parseErrorMessage(error: Error & { code?: string }, command: string): string {
  const option = showArgument(/'(-[^' ]*)/.exec(error.message)?.[1] ?? '');
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `'${command}' has no option ${option}.\n\n${USAGE}`;
  if (/does not take an argument/.test(error.message)) return `${option} is a switch and takes no value: write ${option} alone, or leave it out.`;
  if (/argument missing|argument is ambiguous/.test(error.message)) return `${option} needs a value.`;
  return `${showArgument(error.message)}.\n\n${USAGE}`;
}

export function allowOnly(options: Options, allowed: string[], command: string): void {
  for (const name of options.keys()) {
    if (!allowed.includes(name)) throw new CliError(`'${command}' has no option --${showArgument(name)}.\n\n${USAGE}`, TokensExit.usage);
  }
}

/** Unix seconds of an option's value; a bad date is a usage error naming the option. */
export function instantOption(text: string, now: EpochSeconds, option: string): EpochSeconds {
  const parsed = parseInstant(text, now);
  if ('problem' in parsed) throw new CliError(`--${option} "${showArgument(text)}" ${parsed.problem}.`, TokensExit.usage);
  return parsed.seconds;
}

/** The one token path a command takes, refused before anything is read or written if it cannot be one. */
export function tokenPathArgument(positional: string[], command: string, example: string): string {
  if (positional.length !== 1) throw new CliError(`'${command}' takes one token path, e.g. ${command} ${example}.\n\n${USAGE}`, TokensExit.usage);
  const [tokenPath] = positional;
  const problem = tokenPathProblem(tokenPath);
  if (problem) throw new CliError(`'${showArgument(tokenPath)}' ${problem}`, TokensExit.invalidMap);
  return tokenPath;
}
