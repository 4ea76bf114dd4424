/**
 * `npm run tokens -- <command>`: the rotation-day tool. Offline; reads and edits only the epoch map.
 *
 * Exit codes: 0 done; 1 usage error; 2 the map (as it is, or as the edit would leave it) is invalid,
 * nothing written; 3 `status --fail-under-days N` found a token with fewer days left.
 * `probe`: 0 valid, 2 rejected, 3 unknown, 1 usage error.
 */
import { readFileSync, renameSync, writeFileSync } from 'fs';
import * as path from 'path';
import { addEntry, mintEpochsFromSource, removeEntry, scanEpochMapSource, setEntry } from '../inventory/epoch-map-source';
import { expiryOf, isoUtc, TOKEN_TTL_DAYS } from '../inventory/expiry';
import { buildTokenInventory, EpochMapError, TokenInventory } from '../inventory/token-inventory';
import { formatTokenTable } from '../inventory/token-table';
import { PRIMARY_TOKEN_PATH, vaultSecretLocation } from '../inventory/vault-location';
import { DEFAULT_PROBE_BETA, DEFAULT_PROBE_ENDPOINT, DEFAULT_PROBE_TIMEOUT_MS, probeEndpointProblem, probeToken } from '../lambda-src/token-probe';
import { EPOCH_MAP_FILE, REPO_ROOT } from './project-paths';

export const TokensExit = { ok: 0, usage: 1, invalidMap: 2, underDays: 3 } as const;
export const ProbeExit = { valid: 0, usage: 1, rejected: 2, unknown: 3 } as const;

/** A failure with the exit code it maps to and a message for people. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

const USAGE = `Usage: npm run tokens -- <command>

  status [--json] [--fail-under-days N] [--at <ISO 8601 | unix seconds>]
      The tokens with Vault path, minted, expires, days left and status (as of --at, default now).
  rotate <path> [--minted-at now|<ISO 8601>|<unix seconds>] [--add]
      Record that <path> was re-minted (default: now). Rewrites only its line; --add for a new path.
  remove <path>
      Retire a spare (never 'primary').
  probe --stdin [--endpoint URL]
      Check a freshly minted token, read from standard input only, before storing it in Vault.

Exit codes: 0 done, 1 usage error, 2 invalid map (nothing written), 3 --fail-under-days breached.
probe: 0 valid, 2 rejected, 3 unknown, 1 usage error.`;

export interface CliIo {
  readonly stdout: (text: string) => void;
  /** Standard input, read whole (only `probe --stdin` reads it). */
  readonly stdin: () => string;
  /** Unix seconds. */
  readonly now: () => number;
  /** The epoch map file (absolute). */
  readonly epochMapFile: string;
}

export function runTokensCli(argv: readonly string[], io: CliIo): number | Promise<number> {
  const [command, ...rest] = argv;
  const { positional, options } = parseArgs(rest);
  switch (command) {
    case 'status':
      return status(positional, options, io);
    case 'rotate':
      return rotate(positional, options, io);
    case 'remove':
      return remove(positional, options, io);
    case 'probe':
      return probe(positional, options, io);
    case undefined:
    case 'help':
    case '--help':
      io.stdout(`${USAGE}\n`);
      return command === undefined ? TokensExit.usage : TokensExit.ok;
    default:
      throw new CliError(`unknown command '${command}'.\n\n${USAGE}`, TokensExit.usage);
  }
}

type Options = Map<string, string | true>;

function parseArgs(args: readonly string[]): { positional: string[]; options: Options } {
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
    options.set(name, takesValue ? inline ?? args[++i] : true);
  }
  return { positional, options };
}

function allowOnly(options: Options, allowed: string[], command: string): void {
  for (const name of options.keys()) {
    if (!allowed.includes(name)) throw new CliError(`'${command}' has no option --${name}.\n\n${USAGE}`, TokensExit.usage);
  }
}

/** Unix seconds from `now`, an ISO 8601 time with a zone, or unix seconds. */
export function parseInstant(text: string, now: number, option: string): number {
  if (text === 'now') return now;
  if (/^\d+$/.test(text)) return Number(text);
  if (/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/i.test(text)) return Math.floor(Date.parse(text) / 1000);
  throw new CliError(
    `--${option} ${JSON.stringify(text)} is not 'now', unix seconds, or an ISO 8601 time with a zone (e.g. 2026-04-18T16:07:09Z).`,
    TokensExit.usage,
  );
}

function readMap(io: CliIo): { text: string; fileName: string } {
  try {
    return { text: readFileSync(io.epochMapFile, 'utf8'), fileName: path.relative(process.cwd(), io.epochMapFile) || io.epochMapFile };
  } catch (error) {
    throw new CliError(`cannot read the epoch map ${io.epochMapFile}: ${(error as NodeJS.ErrnoException).code ?? error}.`, TokensExit.invalidMap);
  }
}

/** The inventory the text describes, validated exactly as synth validates it. */
function inventoryOf(text: string, fileName: string, now: number): TokenInventory {
  const { mintEpochs, unreadable } = mintEpochsFromSource(text);
  if (unreadable.length > 0) {
    throw new CliError(
      unreadable.map((entry) => `${fileName}:${entry.line}: '${entry.path}' is ${entry.valueText}, not a plain number of seconds.`).join('\n'),
      TokensExit.invalidMap,
    );
  }
  try {
    return buildTokenInventory(mintEpochs, { now, source: { fileName, text } });
  } catch (error) {
    if (error instanceof EpochMapError) throw new CliError(error.message, TokensExit.invalidMap);
    throw error;
  }
}

function status(positional: string[], options: Options, io: CliIo): number {
  allowOnly(options, ['json', 'fail-under-days', 'at'], 'status');
  if (positional.length > 0) throw new CliError(`'status' takes no arguments, got ${positional.join(' ')}.`, TokensExit.usage);
  const at = options.has('at') ? parseInstant(String(options.get('at')), io.now(), 'at') : io.now();
  const failUnder = options.get('fail-under-days');
  if (failUnder !== undefined && !/^\d+$/.test(String(failUnder))) {
    throw new CliError(`--fail-under-days ${JSON.stringify(failUnder)} must be a whole number of days.`, TokensExit.usage);
  }
  const { text, fileName } = readMap(io);
  const inventory = inventoryOf(text, fileName, at);

  if (options.has('json')) {
    const rows = inventory.tokens.map((token) => ({
      path: token.path,
      vault_path: token.vault.path,
      minted: isoUtc(token.mintedAt),
      expires: isoUtc(token.expiresAt),
      days_remaining: token.daysLeft,
      is_expired: token.status === 'expired',
      needs_refresh: token.status !== 'healthy',
      status: token.status,
    }));
    io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
  } else {
    io.stdout(`${formatTokenTable(inventory)}\n`);
  }
  if (failUnder !== undefined) {
    const short = inventory.tokens.filter((token) => token.daysLeft < Number(failUnder));
    if (short.length > 0) {
      throw new CliError(
        `${short.map((token) => `'${token.path}' has ${token.daysLeft} days left`).join(', ')}: fewer than ${failUnder}. Rotate (see README, Rotating a token).`,
        TokensExit.underDays,
      );
    }
  }
  return TokensExit.ok;
}

function rotate(positional: string[], options: Options, io: CliIo): number {
  allowOnly(options, ['minted-at', 'add'], 'rotate');
  if (positional.length !== 1) throw new CliError(`'rotate' takes one token path, e.g. rotate primary.\n\n${USAGE}`, TokensExit.usage);
  const [tokenPath] = positional;
  const now = io.now();
  const mintedAt = parseInstant(String(options.get('minted-at') ?? 'now'), now, 'minted-at');
  const { text, fileName } = readMap(io);
  const known = scanEpochMapSource(text).map((entry) => entry.path);
  const exists = known.includes(tokenPath);
  if (!exists && !options.has('add')) {
    throw new CliError(`'${tokenPath}' is not in ${fileName} (known: ${known.join(', ')}). To add a new token path, repeat with --add.`, TokensExit.usage);
  }
  if (exists && options.has('add')) throw new CliError(`'${tokenPath}' is already in ${fileName}; drop --add to rotate it.`, TokensExit.usage);

  const edit = exists ? setEntry : addEntry;
  const updated = edit(text, tokenPath, mintedAt, isoUtc(mintedAt));
  const inventory = inventoryOf(updated, fileName, now);
  writeAtomically(io.epochMapFile, updated);

  const token = inventory.tokens.find((candidate) => candidate.path === tokenPath)!;
  io.stdout(
    [
      `${exists ? 'Rotated' : 'Added'} '${tokenPath}' in ${fileName}: minted ${isoUtc(token.mintedAt)}, expires ${isoUtc(expiryOf(token.mintedAt))} (${TOKEN_TTL_DAYS} days).`,
      '',
      'The rest of the rotation:',
      "  1. Mint the token, if not done yet: claude setup-token   (logged in to the agents' account)",
      '  2. Check it works before storing it (paste, then Ctrl-D): npm run tokens -- probe --stdin',
      `  3. Store it without it touching argv or shell history (paste, then Ctrl-D):`,
      `       vault kv patch ${token.vault.path} ${token.vault.field}=-`,
      `  4. Review: git diff ${fileName}   (one line), then open the pull request; CI runs npm run check.`,
      '  5. Deploy: cdktf deploy claude-agent-service   (it runs the monitor once and waits for the push)',
      "  6. Watch the alert clear: ESO refreshes the Secret within its refreshInterval (1h by default; force it with",
      '       kubectl -n claude-agent annotate externalsecret claude-agent-secrets force-sync=$(date +%s) --overwrite);',
      `       ClaudeOAuthTokenExpiringSoon/Critical{path="${tokenPath}"} resolve within minutes of the deploy (README, Rotating a token).`,
      '',
    ].join('\n'),
  );
  return TokensExit.ok;
}

function remove(positional: string[], options: Options, io: CliIo): number {
  allowOnly(options, [], 'remove');
  if (positional.length !== 1) throw new CliError(`'remove' takes one token path, e.g. remove spare-2.\n\n${USAGE}`, TokensExit.usage);
  const [tokenPath] = positional;
  if (tokenPath === PRIMARY_TOKEN_PATH) {
    throw new CliError(`'${PRIMARY_TOKEN_PATH}' is the token the agents use and cannot be removed; rotate it, or promote a spare (README).`, TokensExit.usage);
  }
  const { text, fileName } = readMap(io);
  if (!scanEpochMapSource(text).some((entry) => entry.path === tokenPath)) {
    throw new CliError(`'${tokenPath}' is not in ${fileName}; nothing to remove.`, TokensExit.usage);
  }
  const updated = removeEntry(text, tokenPath);
  const inventory = inventoryOf(updated, fileName, io.now());
  writeAtomically(io.epochMapFile, updated);
  const vault = vaultSecretLocation(tokenPath);
  io.stdout(
    `Removed '${tokenPath}' from ${fileName}; ${inventory.tokens.length} token${inventory.tokens.length === 1 ? '' : 's'} left.\n` +
      `After deploying, delete the secret if nothing else uses it: vault kv metadata delete ${vault.path}\n`,
  );
  return TokensExit.ok;
}

async function probe(positional: string[], options: Options, io: CliIo): Promise<number> {
  allowOnly(options, ['stdin', 'endpoint'], 'probe');
  if (positional.length > 0 || !options.has('stdin')) {
    throw new CliError("'probe' reads the token from standard input only: printf '%s' \"$TOKEN\" | npm run tokens -- probe --stdin. Never pass it as an argument.", ProbeExit.usage);
  }
  const endpoint = String(options.get('endpoint') ?? DEFAULT_PROBE_ENDPOINT);
  const problem = probeEndpointProblem(endpoint);
  if (problem) throw new CliError(problem, ProbeExit.usage);
  const token = io.stdin().trim();
  if (token === '') throw new CliError('no token on standard input.', ProbeExit.usage);
  const outcome = await probeToken(token, { endpoint, betaHeader: DEFAULT_PROBE_BETA, timeoutMs: DEFAULT_PROBE_TIMEOUT_MS });
  io.stdout(`${outcome.result}${outcome.reason ? ` (${outcome.reason})` : ''}\n`);
  return { valid: ProbeExit.valid, rejected: ProbeExit.rejected, unknown: ProbeExit.unknown }[outcome.result];
}

/** Write beside, then rename: an interrupted write never leaves half a map. */
function writeAtomically(file: string, text: string): void {
  const temporary = `${file}.tokens-cli.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}

/** The command-line entry point (npm run tokens, and the `tokens` bin). */
export async function main(): Promise<void> {
  try {
    process.exitCode = await runTokensCli(process.argv.slice(2), {
      stdout: (text) => process.stdout.write(text),
      stdin: () => readFileSync(0, 'utf8'),
      now: () => Math.floor(Date.now() / 1000),
      epochMapFile: path.join(REPO_ROOT, EPOCH_MAP_FILE),
    });
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    process.stderr.write(`tokens: ${error.message}\n`);
    process.exitCode = error.exitCode;
  }
}

if (require.main === module) void main();
