/**
 * Where a token comes in: standard input (a silent prompt on a terminal, a bounded read otherwise),
 * checked for its shape, with the endpoint that will probe it.
 */
import { fstatSync, readSync } from 'fs';
import { CliError, CliIo, ProbeExit } from './tokens-io';
import { Options } from './tokens-args';
import { DEFAULT_PROBE_ENDPOINT } from '../lambda-src/contract';
import { probeEndpointProblem } from '../lambda-src/token-probe';
import { setupTokenShapeProblem } from '../inventory/token-shape';

/** More than this on standard input is no token (a setup-token is 108 characters). */
export const STDIN_LIMIT_BYTES = 4096;

/**
 * Standard input for `probe --stdin`: on a terminal, a prompt whose answer is not echoed; from a file
 * or pipe, read whole up to a bound. Anything else (a directory, say) is a usage error.
 */
export async function readStandardInput(): Promise<string> {
  if (process.stdin.isTTY) return readHiddenLine('Paste the token, then press Enter (it is not shown): ');
  const stat = fstatSync(0);
  if (!stat.isFile() && !stat.isFIFO() && !stat.isSocket()) {
    throw new CliError('standard input is neither a terminal, a file nor a pipe: paste the token at the prompt, or pipe it in.', ProbeExit.usage);
  }
  const buffer = Buffer.alloc(STDIN_LIMIT_BYTES + 1);
  let length = 0;
  for (;;) {
    let read: number;
    try {
      read = readSync(0, buffer, length, buffer.length - length, null);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      if ((error as NodeJS.ErrnoException).code === 'EOF') break;
      throw new CliError(`cannot read standard input (${(error as NodeJS.ErrnoException).code ?? 'error'}).`, ProbeExit.usage);
    }
    if (read === 0) break;
    length += read;
    if (length > STDIN_LIMIT_BYTES) {
      throw new CliError(`standard input holds more than ${STDIN_LIMIT_BYTES} bytes; a setup-token is 108 characters. Nothing was sent.`, ProbeExit.usage);
    }
  }
  return buffer.subarray(0, length).toString('utf8');
}

/** One line from the terminal with echo off (raw mode); Ctrl-C or Ctrl-D abandons it. */
export function readHiddenLine(prompt: string): Promise<string> {
  const stdin = process.stdin;
  // Echo off before the prompt shows: a paste that follows the prompt at once must not be echoed.
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let line = '';
    const finish = (outcome: () => void) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.removeListener('data', onData);
      process.stderr.write('\n');
      outcome();
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') return finish(() => resolve(line));
        if (char === '\u0003' || char === '\u0004') return finish(() => reject(new CliError('cancelled; nothing was sent.', ProbeExit.usage)));
        if (char === '\u007f' || char === '\b') line = line.slice(0, -1);
        else if (line.length <= STDIN_LIMIT_BYTES) line += char;
      }
    };
    stdin.on('data', onData);
    stdin.resume();
  });
}

export async function endpointAndToken(options: Options, io: CliIo, exitCode: number, nothing: string): Promise<{ endpoint: string; token: string }> {
  const endpoint = String(options.get('endpoint') ?? DEFAULT_PROBE_ENDPOINT);
  const endpointProblem = probeEndpointProblem(endpoint);
  if (endpointProblem) throw new CliError(endpointProblem, exitCode);
  const token = (await io.stdin()).trim();
  if (token === '') throw new CliError(`no token on standard input: paste it at the prompt, or pipe it in. ${nothing}`, exitCode);
  const shapeProblem = setupTokenShapeProblem(token);
  if (shapeProblem) throw new CliError(`${shapeProblem} ${nothing}`, exitCode);
  return { endpoint, token };
}
