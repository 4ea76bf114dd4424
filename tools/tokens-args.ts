/**
 * The `tokens` command line: options and positionals, refused when unknown, repeated or malformed.
 */
import { EpochSeconds } from '../inventory/expiry';
import { tokenPathProblem } from '../inventory/token-path';
import { showArgument } from '../inventory/token-shape';
import { parseInstant } from './instant';
import { CliError, TokensExit } from './tokens-io';
import { USAGE } from './tokens-help';

export type Options = Map<string, string | true>;

export function parseArgs(args: readonly string[]): { positional: string[]; options: Options } {
  const positional: string[] = [];
  const options: Options = new Map();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
    const takesValue = ['fail-under-days', 'at', 'minted-at', 'endpoint'].includes(name);
    if (takesValue && inline === undefined && (args[i + 1] === undefined || args[i + 1].startsWith('--'))) {
      throw new CliError(`--${name} needs a value.`, TokensExit.usage);
    }
    // `--add=false` would otherwise add: a switch is on by being there, and takes no value.
    if (!takesValue && inline !== undefined) throw new CliError(`--${name} is a switch and takes no value: write --${name} alone, or leave it out.`, TokensExit.usage);
    if (options.has(name)) throw new CliError(`--${name} is given twice: give it once.`, TokensExit.usage);
    options.set(name, takesValue ? inline ?? args[++i] : true);
  }
  return { positional, options };
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
