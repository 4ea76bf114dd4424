/**
 * `npm run tokens -- <command>`: the rotation-day tool. Offline; reads and edits only the epoch map.
 *
 * Exit codes: 0 done; 1 usage error; 2 the map (as it is, or as the edit would leave it) is invalid,
 * nothing written; 3 `status --fail-under-days N` found a token with fewer days left.
 * `probe`: 0 valid, 2 rejected, 3 unknown, 1 usage error.
 */
import { fstatSync, readFileSync, readSync } from 'fs';
import * as path from 'path';
import { addEntry, EpochMapDocument, EpochMapError, mintEpochsOf, readEpochMap, readEpochMapFile, removeEntry, setEntry } from '../inventory/epoch-map-file';
import { EARLIEST_MINT_EPOCH, EpochSeconds, epochSeconds, expiryOf, isoUtc, nowInSeconds, statusOf } from '../inventory/expiry';
import { buildTokenInventory, inventoryAt, TokenInventory } from '../inventory/token-inventory';
import { tokenPathProblem } from '../inventory/token-path';
import { looksLikeToken, redactSecrets, setupTokenShapeProblem } from '../inventory/token-shape';
import { formatTokenTable } from '../inventory/token-table';
import { PRIMARY_TOKEN_PATH, vaultSecretLocation } from '../inventory/vault-location';
import { DEFAULT_PROBE_BETA, DEFAULT_PROBE_ENDPOINT, DEFAULT_PROBE_TIMEOUT_MS } from '../lambda-src/contract';
import { describeConsumers, tokenConsumersOf, tokenExternalSecretName } from '../settings/token-consumers';
import { probeEndpointProblem, probeToken } from '../lambda-src/token-probe';
import { LockBusyError, LockLostError, withFileLock, writeFileAtomically } from './file-lock';
import { parseInstant } from './instant';
import { storeSecretField, vaultConnectionFromEnv, VaultStoreError } from './vault-kv';
import { AppSettings, DEFAULT_SETTINGS, readAppSettings, SettingsError } from '../settings/app-settings';
import { deployCommand } from '../settings/stack-graph';
import { EPOCH_MAP_FILE, REPO_ROOT } from '../settings/project-paths';

export const TokensExit = { ok: 0, usage: 1, invalidMap: 2, underDays: 3, vault: 4 } as const;
export const ProbeExit = { valid: 0, usage: 1, rejected: 2, unknown: 3 } as const;

/** A failure with the exit code it maps to and a message for people (never a secret: it is redacted here). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(redactSecrets(message));
  }
}

const USAGE = `Usage: npm run tokens -- <command>

  status [--json] [--fail-under-days N] [--at <ISO 8601 | unix seconds>]
      The tokens with Vault path, minted, expires, days left and status (as of --at, default now).
  rotate <path> [--minted-at now|<ISO 8601>|<unix seconds>] [--add] [--store]
      Record that <path> was re-minted (default: now). Rewrites only its line; --add for a new path;
      --store also writes the token (read at a silent prompt) to Vault first.
  remove <path>
      Retire a spare (never 'primary').
  promote <spare>
      Fail over: 'primary' takes the spare's mint time and the spare's line goes; prints the Vault copy.
  probe --stdin [--endpoint URL]
      Check a freshly minted token, read from standard input only, before storing it in Vault.

Exit codes: 0 done, 1 usage error, 2 invalid map (nothing written), 3 --fail-under-days breached,
4 rotate --store: Vault or the probe said no (nothing recorded).
probe: 0 valid, 2 rejected, 3 unknown, 1 usage error. Each command's own help: <command> --help.

Example: npm run tokens -- status`;

export interface CliIo {
  readonly stdout: (text: string) => void;
  /** Standard input, read whole (only `probe --stdin` reads it); on a terminal, a prompt that does not echo. */
  readonly stdin: () => string | Promise<string>;
  /** Unix seconds. */
  readonly now: () => EpochSeconds;
  /**
   * The environment `rotate --store` reads Vault's address and token from (as the Vault CLI does).
   * @default process.env
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The epoch map file (absolute). */
  readonly epochMapFile: string;
  /**
   * What messages name the map relative to.
   * @default the working directory
   */
  readonly relativeTo?: string;
  /**
   * The project's settings, for the commands the playbooks print (namespace, ExternalSecret, stacks).
   * @default the default settings
   */
  readonly settings?: AppSettings;
}

/** Each command's help: what `tokens <command> --help` prints, with an example. */
const COMMAND_HELP: Readonly<Record<string, string>> = {
  status: `Usage: npm run tokens -- status [--json] [--fail-under-days N] [--at <ISO 8601 | unix seconds>]

The tokens of the map with their Vault path, mint and expiry times, days left and status, as of --at
(default now). --json prints the same as JSON; --fail-under-days N exits 3 if a token has fewer days left.

Example: npm run tokens -- status --fail-under-days 30`,
  rotate: `Usage: npm run tokens -- rotate <path> [--minted-at now|<ISO 8601>|<unix seconds>] [--add] [--force]
       node bin/tokens.js rotate <path> --store [--minted-at …] [--add] [--skip-probe] [--endpoint URL]

Records that <path> was minted anew (default: now): rewrites only its line of the map, value and date
comment, validated as synth validates it; --add for a path not in the map yet; --force to record a
mint time that leaves the token already critical or expired. Prints the rest of the
rotation: how to store the token in Vault, review, deploy.

--store does the Vault step too: reads the token once at a silent prompt (or from stdin; never an
argument), checks its shape, probes it (--skip-probe to store it unchecked), writes it to Vault KV v2
(VAULT_ADDR, and VAULT_TOKEN or ~/.vault-token) keeping the secret's other fields, with check-and-set
and minted_at/expires_at in its custom_metadata, and only then records the line. Exit 4: Vault or the
probe said no, and nothing was recorded. Run it as node bin/tokens.js (npm logs its command line).

Example: node bin/tokens.js rotate primary --store`,
  remove: `Usage: npm run tokens -- remove <path>

Retires a spare (never 'primary'): deletes its line and prints the deploy and the Vault clean-up.

Example: npm run tokens -- remove spare-2`,
  promote: `Usage: npm run tokens -- promote <spare>

Fails over: 'primary' takes the spare's mint time and the spare's line goes; prints the Vault copy,
the deploy and the restart, in order.

Example: npm run tokens -- promote spare-1`,
  probe: `Usage: node bin/tokens.js probe --stdin [--endpoint URL]

Checks a freshly minted token against the Anthropic API before it is stored. The token is read from
standard input only (paste it at the silent prompt, after the prompt shows); never pass it as an
argument. Exit 0 valid, 2 rejected, 3 unknown, 1 usage error.

(Run it as node bin/tokens.js, not through npm: npm prints and logs its command line, and starts slowly
enough that a paste can arrive before the prompt turns echo off. Wait for the prompt.)

Example: node bin/tokens.js probe --stdin`,
};

export function runTokensCli(argv: readonly string[], cliIo: CliIo): number | Promise<number> {
  const io: CliIo = { ...cliIo, stdout: (text) => cliIo.stdout(redactSecrets(text)) };
  const [command, ...rest] = argv;
  // Checked before anything else: a token in argv is already in the shell's history and `ps`.
  const credential = argv.find((arg) => looksLikeToken(arg));
  if (credential !== undefined) {
    throw new CliError(
      `an argument is a credential (${redactSecrets(credential)}): never pass a token on the command line (it is now in your shell history and was visible to ps). ` +
        "Nothing was done. 'probe' reads it from standard input (node bin/tokens.js probe --stdin); rotate this token if it was real.",
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
  const { positional, options } = parseArgs(rest);
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
    case undefined:
    case 'help':
    case '-h':
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
    // `--add=false` would otherwise add: a switch is on by being there, and takes no value.
    if (!takesValue && inline !== undefined) throw new CliError(`--${name} is a switch and takes no value: write --${name} alone, or leave it out.`, TokensExit.usage);
    if (options.has(name)) throw new CliError(`--${name} is given twice: give it once.`, TokensExit.usage);
    options.set(name, takesValue ? inline ?? args[++i] : true);
  }
  return { positional, options };
}

function allowOnly(options: Options, allowed: string[], command: string): void {
  for (const name of options.keys()) {
    if (!allowed.includes(name)) throw new CliError(`'${command}' has no option --${name}.\n\n${USAGE}`, TokensExit.usage);
  }
}

/** Unix seconds of an option's value; a bad date is a usage error naming the option. */
function instantOption(text: string, now: EpochSeconds, option: string): EpochSeconds {
  const parsed = parseInstant(text, now);
  if ('problem' in parsed) throw new CliError(`--${option} ${JSON.stringify(text)} ${parsed.problem}.`, TokensExit.usage);
  return parsed.seconds;
}

function fileNameOf(io: CliIo): string {
  return path.relative(io.relativeTo ?? process.cwd(), io.epochMapFile) || io.epochMapFile;
}

/** The map as the one reader reads it (the same as synth's). */
function readMap(io: CliIo): EpochMapDocument {
  const fileName = fileNameOf(io);
  const text = asCliError(() => readEpochMapFile(io.epochMapFile, fileName));
  return asCliError(() => readEpochMap({ fileName, text }));
}

/** The inventory the document describes, validated exactly as synth validates it, with the settings' thresholds. */
function inventoryOf(document: EpochMapDocument, now: EpochSeconds, settings: AppSettings = DEFAULT_SETTINGS): TokenInventory {
  return asCliError(() => buildTokenInventory(mintEpochsOf(document), { now, document, thresholds: settings.expiryThresholds }));
}

function asCliError<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof EpochMapError) throw new CliError(`${error.message}\nNothing was written.`, TokensExit.invalidMap);
    throw error;
  }
}

/** The edit's new text and inventory, checked as editMap checks them, without writing anything. */
function plannedEdit(io: CliIo, edit: (document: EpochMapDocument) => { text: string; expected: Record<string, number> }): { text: string; inventory: TokenInventory } {
  const { text, expected } = edit(readMap(io));
  const reread = asCliError(() => readEpochMap({ fileName: fileNameOf(io), text }));
  if (JSON.stringify(mintEpochsOf(reread)) !== JSON.stringify(expected)) {
    throw new CliError(`the edit would not read back as intended (${JSON.stringify(mintEpochsOf(reread))}); nothing was written.`, TokensExit.invalidMap);
  }
  return { text, inventory: inventoryOf(reread, io.now(), io.settings) };
}

/**
 * Applies one edit under the map's lock: re-reads the file (another run may have just changed it),
 * builds the new text, checks that the one reader reads back exactly the intended map and that it
 * validates as synth would, and only then replaces the file atomically.
 */
function editMap(io: CliIo, edit: (document: EpochMapDocument) => { text: string; expected: Record<string, number> }): TokenInventory {
  try {
    return withFileLock(io.epochMapFile, (stillHeld) => {
      const { text, inventory } = plannedEdit(io, edit);
      stillHeld();
      writeFileAtomically(io.epochMapFile, text);
      return inventory;
    });
  } catch (error) {
    if (error instanceof LockBusyError || error instanceof LockLostError) throw new CliError(error.message, TokensExit.usage);
    throw error;
  }
}

function status(positional: string[], options: Options, io: CliIo): number {
  allowOnly(options, ['json', 'fail-under-days', 'at'], 'status');
  if (positional.length > 0) throw new CliError(`'status' takes no arguments, got ${positional.join(' ')}.`, TokensExit.usage);
  const now = io.now();
  const at = options.has('at') ? instantOption(String(options.get('at')), now, 'at') : now;
  const failUnder = options.get('fail-under-days');
  if (failUnder !== undefined && !/^\d{1,5}$/.test(String(failUnder))) {
    throw new CliError(`--fail-under-days ${JSON.stringify(failUnder)} must be a whole number of days.`, TokensExit.usage);
  }
  // Validated as of now, as synth does; only the days left and status are as of --at.
  const inventory = inventoryAt(inventoryOf(readMap(io), now, io.settings), at);
  // Only a --at the operator gave can be before a mint; a mint a little ahead of this clock (inside
  // the skew synth allows) is not their mistake.
  const unminted = options.has('at') ? inventory.tokens.filter((token) => token.mintedAt > at) : [];
  if (unminted.length > 0) {
    throw new CliError(
      `--at ${isoUtc(at)} is before ${unminted.map((token) => `'${token.path}' was minted (${isoUtc(token.mintedAt)})`).join(', ')}: ` +
        'the map says nothing about that time. Ask about a time after every mint.',
      TokensExit.usage,
    );
  }

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
        `${short.map((token) => `'${token.path}' has ${token.daysLeft} days left`).join(', ')}: fewer than ${failUnder}. Rotate (see docs/rotation.md).`,
        TokensExit.underDays,
      );
    }
  }
  return TokensExit.ok;
}

/** The one token path a command takes, refused before anything is read or written if it cannot be one. */
function tokenPathArgument(positional: string[], command: string, example: string): string {
  if (positional.length !== 1) throw new CliError(`'${command}' takes one token path, e.g. ${command} ${example}.\n\n${USAGE}`, TokensExit.usage);
  const [tokenPath] = positional;
  const problem = tokenPathProblem(tokenPath);
  if (problem) throw new CliError(`'${tokenPath}' ${problem}`, TokensExit.invalidMap);
  return tokenPath;
}

async function rotate(positional: string[], options: Options, io: CliIo): Promise<number> {
  allowOnly(options, ['minted-at', 'add', 'force', 'store', 'endpoint', 'skip-probe'], 'rotate');
  if (!options.has('store') && (options.has('endpoint') || options.has('skip-probe'))) {
    throw new CliError('--endpoint and --skip-probe go with --store (they choose how the token is checked before it is stored).', TokensExit.usage);
  }
  const tokenPath = tokenPathArgument(positional, 'rotate', 'primary');
  const now = io.now();
  const mintedAt = instantOption(String(options.get('minted-at') ?? 'now'), now, 'minted-at');
  const adding = options.has('add');
  // A mint time so far back that the token is already critical or expired is almost always a typo;
  // recorded, it would page at once and protect nothing.
  const thresholds = (io.settings ?? DEFAULT_SETTINGS).expiryThresholds;
  const recordedStatus = statusOf(expiryOf(mintedAt), now, thresholds);
  // (A mint before any setup-token existed is the inventory's to refuse, with its own message.)
  if ((recordedStatus === 'critical' || recordedStatus === 'expired') && mintedAt >= EARLIEST_MINT_EPOCH && !options.has('force')) {
    throw new CliError(
      `--minted-at ${isoUtc(mintedAt)} means '${tokenPath}' expires ${isoUtc(expiryOf(mintedAt))}: ` +
        (recordedStatus === 'expired' ? 'already expired' : `inside the ${thresholds.criticalDays}-day critical window`) +
        '. Recording it would page at once. Check the date; rotate with a freshly minted token; or, if that really is when it was minted, add --force. Nothing was written.',
      TokensExit.usage,
    );
  }
  let added = false;
  const edit = (document: EpochMapDocument) => {
    const known = document.entries.map((entry) => entry.path);
    const exists = known.includes(tokenPath);
    if (!exists && !adding) {
      throw new CliError(`'${tokenPath}' is not in ${document.fileName} (known: ${known.join(', ')}). To add a new token path, repeat with --add.`, TokensExit.usage);
    }
    if (exists && adding) throw new CliError(`'${tokenPath}' is already in ${document.fileName}; drop --add to rotate it.`, TokensExit.usage);
    added = !exists;
    const text = (exists ? setEntry : addEntry)(document, tokenPath, mintedAt, safeIsoUtc(mintedAt));
    return { text, expected: { ...mintEpochsOf(document), [tokenPath]: mintedAt } };
  };
  if (options.has('store')) return storeAndRecord(tokenPath, mintedAt, edit, options, io);
  const inventory = editMap(io, edit);

  const fileName = fileNameOf(io);
  const token = inventory.tokens.find((candidate) => candidate.path === tokenPath)!;
  const settings = io.settings ?? DEFAULT_SETTINGS;
  const delivery = deliveryOf(settings);
  // A new path widens the Vault policy: vault-access too (with Vault admin credentials).
  const deploy = deployCommand(added ? ['vault-access', 'claude-agent-service'] : ['claude-agent-service'], settings);
  io.stdout(
    [
      `${added ? 'Added' : 'Rotated'} '${tokenPath}' in ${fileName}: minted ${isoUtc(token.mintedAt)}, expires ${isoUtc(expiryOf(token.mintedAt))} (${token.daysLeft} days left, as status counts them).`,
      '',
      'The rest of the rotation:',
      "  1. Mint the token, if not done yet: claude setup-token   (logged in to the agents' account)",
      '  2. Check it works before storing it (wait for the prompt, then paste): node bin/tokens.js probe --stdin',
      `  3. Store it without it touching argv, shell history or a trailing newline (paste at the silent prompt, then Enter):`,
      `       ${storeCommand(token.vault, added)}`,
      `  4. Review: git diff ${fileName}   (one line), then open the pull request; CI runs npm run check.`,
      `  5. Deploy: ${deploy}   (it runs the monitor once and waits for the push)`,
      ...agentsPickUp(tokenPath, settings, delivery),
      `  6. Watch ClaudeOAuthTokenExpiringSoon/Critical{path="${tokenPath}"} resolve within minutes of the deploy (docs/rotation.md, Rotating a token).`,
      ...(added ? [] : revokeOldToken(token.vault)),
      '',
    ].join('\n'),
  );
  return TokensExit.ok;
}

/** Minting a token does not revoke the one it replaces: the step that does, and how to see it worked. */
function revokeOldToken(vault: { path: string; field: string }, previousVersion?: number): string[] {
  const version = previousVersion === undefined ? '<the version before yours>' : String(previousVersion);
  return [
    "  7. Revoke the token this one replaces: minting a new one does not revoke it. At claude.ai, logged in to the agents' account,",
    '     revoke the old Claude Code token (one at a time; it may take a while to take effect). To confirm it is dead:',
    `       vault kv get -version=${version} -field=${vault.field} ${vault.path} | node bin/tokens.js probe --stdin   (says "rejected")`,
  ];
}

/**
 * `rotate --store`: step 3 and the record in one run. The map edit is checked first (a wrong path or
 * date fails before anything is sent); then the token, read once from standard input, is checked
 * for shape, probed, and written to Vault (merge, check-and-set, custom_metadata); only once Vault
 * has accepted it is the map line written. If that write fails, it says how to finish, and the
 * Vault version to roll back to.
 */
async function storeAndRecord(
  tokenPath: string,
  mintedAt: EpochSeconds,
  edit: (document: EpochMapDocument) => { text: string; expected: Record<string, number> },
  options: Options,
  io: CliIo,
): Promise<number> {
  const planned = plannedEdit(io, edit);
  const vault = planned.inventory.tokens.find((candidate) => candidate.path === tokenPath)!.vault;
  let connection;
  try {
    connection = vaultConnectionFromEnv(io.env ?? process.env);
  } catch (error) {
    if (error instanceof VaultStoreError) throw new CliError(`${error.message} Nothing was read or written.`, TokensExit.usage);
    throw error;
  }
  const { endpoint, token } = await endpointAndToken(options, io, TokensExit.usage, 'Nothing was sent or written.');
  if (!options.has('skip-probe')) {
    const outcome = await probeToken(token, { endpoint, betaHeader: DEFAULT_PROBE_BETA, timeoutMs: DEFAULT_PROBE_TIMEOUT_MS });
    if (outcome.result === 'rejected') throw new CliError(`the Anthropic API rejects this token (${outcome.reason}): mint another. Nothing was stored or written.`, TokensExit.vault);
    if (outcome.result === 'unknown') {
      throw new CliError(`the live check could not tell whether this token works (${outcome.reason}). Nothing was stored or written; retry, or add --skip-probe to store it unchecked.`, TokensExit.vault);
    }
  }

  let stored;
  try {
    stored = await storeSecretField(connection, vault, token, { minted_at: isoUtc(mintedAt), expires_at: isoUtc(expiryOf(mintedAt)), recorded_by: 'claude-oauth-tokens' });
  } catch (error) {
    if (error instanceof VaultStoreError) throw new CliError(`${error.message} The map was not changed.`, TokensExit.vault);
    throw error;
  }
  const fileName = fileNameOf(io);
  try {
    editMap(io, edit);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new CliError(
      `the token is stored in Vault (${vault.path}, version ${stored.version}), but ${fileName} was not updated: ${why}\n` +
        `To finish: npm run tokens -- rotate ${tokenPath}${stored.created ? ' --add' : ''} --minted-at ${isoUtc(mintedAt)}   (records it; no need to store again)\n` +
        (stored.created ? `To undo instead: vault kv metadata delete ${vault.path}   (the path was new)` : `To undo instead: vault kv rollback -version=${stored.previousVersion} ${vault.path}`),
      TokensExit.vault,
    );
  }
  io.stdout(
    [
      `Stored the token in Vault at ${vault.path} (version ${stored.version}${stored.created ? ', a new secret' : `, was ${stored.previousVersion}; its other fields kept`}), ` +
        `with minted_at and expires_at in its custom_metadata, and recorded '${tokenPath}' in ${fileName}: minted ${isoUtc(mintedAt)}, expires ${isoUtc(expiryOf(mintedAt))}.`,
      ...(stored.metadataProblem ? [`WARNING: ${stored.metadataProblem}`] : []),
      '',
      `Next: open the pull request (git diff ${fileName} is one line); after merge, deploy as npm run check says.`,
      ...(stored.created ? [] : revokeOldToken(vault, stored.previousVersion)),
      '',
    ].join('\n'),
  );
  return TokensExit.ok;
}

/**
 * The shell line that stores a token read at a silent prompt: `read -s` drops the newline a paste
 * ends with, and `printf` is a shell builtin, so the token reaches Vault's stdin without argv or
 * history. A new path needs `put` (KV v2's patch answers 404 for a secret that does not exist yet);
 * an existing one `patch`, which keeps its other fields (the primary's also holds the legacy login).
 */
function storeCommand(vault: { path: string; field: string }, isNew: boolean): string {
  return `read -rs TOKEN && printf '%s' "$TOKEN" | vault kv ${isNew ? 'put' : 'patch'} ${vault.path} ${vault.field}=- ; unset TOKEN`;
}

/** How the agents come to run the new token: the deploy's restart Job, or the commands to do it by hand. */
function agentsPickUp(tokenPath: string, settings: AppSettings, delivery: { namespace: string; externalSecret: string }): string[] {
  if (tokenPath !== PRIMARY_TOKEN_PATH) return ['     A spare is not in use: no agent restarts.'];
  const consumers = tokenConsumersOf(settings);
  if (consumers.length > 0) {
    return [
      `     For primary the deploy also has ESO sync the new token into each consumer and ${describeConsumers(consumers)}.`,
      `     It fails naming every consumer that did not move (kubectl -n ${delivery.namespace} logs job/<name>).`,
    ];
  }
  return [
    '     The agents read the token only at start (agentWorkload is off): once deployed, have ESO sync, wait for it, then restart them:',
    `       SINCE=$(date -u +%Y-%m-%dT%H:%M:%SZ); sleep 1; kubectl -n ${delivery.namespace} annotate externalsecret ${delivery.externalSecret} force-sync=$(date +%s) --overwrite`,
    `       until [ "$(kubectl -n ${delivery.namespace} get externalsecret ${delivery.externalSecret} -o jsonpath='{.status.refreshTime}')" \\> "$SINCE" ]; do sleep 2; done`,
    `       kubectl -n ${delivery.namespace} rollout restart deployment/<the agents' Deployment> && kubectl -n ${delivery.namespace} rollout status deployment/<the agents' Deployment>`,
  ];
}

/** The date comment of a new line; a value the inventory will refuse anyway may be past Date's range. */
function safeIsoUtc(seconds: EpochSeconds): string {
  return Math.abs(seconds) < 8.64e12 ? isoUtc(seconds) : 'not a date';
}

function remove(positional: string[], options: Options, io: CliIo): number {
  allowOnly(options, [], 'remove');
  const tokenPath = tokenPathArgument(positional, 'remove', 'spare-2');
  if (tokenPath === PRIMARY_TOKEN_PATH) {
    throw new CliError(`'${PRIMARY_TOKEN_PATH}' is the token the agents use and cannot be removed; rotate it, or promote a spare (docs/runbook.md, Promoting a spare).`, TokensExit.usage);
  }
  const inventory = editMap(io, (document) => {
    if (!document.entries.some((entry) => entry.path === tokenPath)) {
      throw new CliError(`'${tokenPath}' is not in ${document.fileName}; nothing to remove.`, TokensExit.usage);
    }
    const expected = mintEpochsOf(document);
    delete expected[tokenPath];
    return { text: removeEntry(document, tokenPath), expected };
  });
  const vault = vaultSecretLocation(tokenPath);
  const deploy = deployCommand(['vault-access', 'claude-agent-service'], io.settings ?? DEFAULT_SETTINGS);
  io.stdout(
    `Removed '${tokenPath}' from ${fileNameOf(io)}; ${inventory.tokens.length} token${inventory.tokens.length === 1 ? '' : 's'} left.\n` +
      `Deploy (the Vault policy narrows too, so with Vault admin credentials): ${deploy}\n` +
      `After deploying, delete the secret if nothing else uses it: vault kv metadata delete ${vault.path}\n`,
  );
  return TokensExit.ok;
}

function promote(positional: string[], options: Options, io: CliIo): number {
  allowOnly(options, [], 'promote');
  const spare = tokenPathArgument(positional, 'promote', 'spare-1');
  if (spare === PRIMARY_TOKEN_PATH) throw new CliError(`'${PRIMARY_TOKEN_PATH}' is already the token the agents use; promote a spare, e.g. promote spare-1.`, TokensExit.usage);
  const now = io.now();
  let mintedAt = epochSeconds(0);
  editMap(io, (document) => {
    const entry = document.entries.find((candidate) => candidate.path === spare);
    if (!entry) {
      const spares = document.entries.map((candidate) => candidate.path).filter((path) => path !== PRIMARY_TOKEN_PATH);
      throw new CliError(`'${spare}' is not in ${document.fileName} (spares: ${spares.join(', ') || 'none'}); nothing to promote.`, TokensExit.usage);
    }
    const token = inventoryOf(document, now, io.settings).tokens.find((candidate) => candidate.path === spare)!;
    if (token.status === 'critical' || token.status === 'expired') {
      throw new CliError(
        `'${spare}' is ${token.status} (${token.daysLeft} days left, expires ${isoUtc(token.expiresAt)}): promoting it would only move the outage. ` +
          `Rotate '${PRIMARY_TOKEN_PATH}' with a freshly minted token instead (docs/rotation.md, Rotating a token).`,
        TokensExit.usage,
      );
    }
    mintedAt = epochSeconds(entry.value); // the inventory above validated it
    const withPrimary = setEntry(document, PRIMARY_TOKEN_PATH, mintedAt, isoUtc(mintedAt));
    const text = removeEntry(asCliError(() => readEpochMap({ fileName: document.fileName, text: withPrimary })), spare);
    const expected: Record<string, number> = { ...mintEpochsOf(document), [PRIMARY_TOKEN_PATH]: mintedAt };
    delete expected[spare];
    return { text, expected };
  });

  const settings = io.settings ?? DEFAULT_SETTINGS;
  const delivery = deliveryOf(settings);
  const [from, to] = [vaultSecretLocation(spare), vaultSecretLocation(PRIMARY_TOKEN_PATH)];
  io.stdout(
    [
      `Promoted '${spare}' in ${fileNameOf(io)}: '${PRIMARY_TOKEN_PATH}' now records its mint time ${isoUtc(mintedAt)} (expires ${isoUtc(expiryOf(mintedAt))}), and its own line is gone.`,
      '',
      'The rest of the failover, in this order:',
      '  1. Copy the spare over the primary in Vault (a pipe: the token never touches argv or shell history):',
      `       vault kv get -field=${from.field} ${from.path} | vault kv patch ${to.path} ${to.field}=-`,
      `  2. Deploy (the spare leaves the Vault policy, so with Vault admin credentials): ${deployCommand(['vault-access', 'claude-agent-service'], settings)}`,
      '  3. The agents onto the new primary:',
      ...agentsPickUp(PRIMARY_TOKEN_PATH, settings, delivery),
      `  4. Mint a new spare when you can: npm run tokens -- rotate ${spare} --add, which prints how to store it.`,
      '',
    ].join('\n'),
  );
  return TokensExit.ok;
}

/**
 * The probe endpoint (checked first: nothing is read for an endpoint that would be refused) and the
 * token, read once from standard input and checked for shape. Every refusal ends with `nothing`.
 */
async function endpointAndToken(options: Options, io: CliIo, exitCode: number, nothing: string): Promise<{ endpoint: string; token: string }> {
  const endpoint = String(options.get('endpoint') ?? DEFAULT_PROBE_ENDPOINT);
  const endpointProblem = probeEndpointProblem(endpoint);
  if (endpointProblem) throw new CliError(endpointProblem, exitCode);
  const token = (await io.stdin()).trim();
  if (token === '') throw new CliError(`no token on standard input: paste it at the prompt, or pipe it in. ${nothing}`, exitCode);
  const shapeProblem = setupTokenShapeProblem(token);
  if (shapeProblem) throw new CliError(`${shapeProblem} ${nothing}`, exitCode);
  return { endpoint, token };
}

async function probe(positional: string[], options: Options, io: CliIo): Promise<number> {
  allowOnly(options, ['stdin', 'endpoint'], 'probe');
  if (positional.length > 0 || !options.has('stdin')) {
    throw new CliError("'probe' reads the token from standard input only: node bin/tokens.js probe --stdin, then paste it at the prompt. Never pass it as an argument.", ProbeExit.usage);
  }
  const { endpoint, token } = await endpointAndToken(options, io, ProbeExit.usage, 'Nothing was sent.');
  const outcome = await probeToken(token, { endpoint, betaHeader: DEFAULT_PROBE_BETA, timeoutMs: DEFAULT_PROBE_TIMEOUT_MS });
  io.stdout(`${outcome.result}${outcome.reason ? ` (${outcome.reason})` : ''}\n`);
  return { valid: ProbeExit.valid, rejected: ProbeExit.rejected, unknown: ProbeExit.unknown }[outcome.result];
}

/** More than this on standard input is no token (a setup-token is 108 characters). */
const STDIN_LIMIT_BYTES = 4096;

/**
 * Standard input for `probe --stdin`: on a terminal, a prompt whose answer is not echoed; from a file
 * or pipe, read whole up to a bound. Anything else (a directory, say) is a usage error.
 */
async function readStandardInput(): Promise<string> {
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
function readHiddenLine(prompt: string): Promise<string> {
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

/** The token's namespace and ExternalSecret under these settings. */
function deliveryOf(settings: AppSettings): { namespace: string; externalSecret: string } {
  return { namespace: settings.namespace, externalSecret: tokenExternalSecretName(settings) };
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
    settings = readAppSettings(
      { name: 'cdktf.json', text: readFileSync(path.join(run.projectDir, 'cdktf.json'), 'utf8') },
      run.contextOverride ? { name: 'CDKTF_CONTEXT_JSON', text: run.contextOverride } : undefined,
    );
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
  });
}

if (require.main === module) void main();
