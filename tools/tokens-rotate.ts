/**
 * `tokens rotate`: record a new mint time and, with --store, write the token to Vault first.
 */
import { addEntry, setEntry } from '../inventory/epoch-map-edit';
import { EpochMapDocument, mintEpochsOf } from '../inventory/epoch-map-file';
import { EARLIEST_MINT_EPOCH, EpochSeconds, expiryOf, isoUtc, statusOf } from '../inventory/expiry';
import { DEFAULT_PROBE_BETA, DEFAULT_PROBE_TIMEOUT_MS } from '../lambda-src/contract';
import { probeToken } from '../lambda-src/token-probe';
import { MINTED_AT_KEY } from '../lambda-src/vault-metadata';
import { checkSecretWritable, storeSecretField } from './vault-kv';
import { vaultConnectionFromEnv, VaultStoreError } from './vault-connection';
import { DEFAULT_SETTINGS } from '../settings/app-settings';
import { deployCommand } from '../settings/stack-graph';
import { CliError, CliIo, TokensExit } from './tokens-io';
import { showArgument } from '../inventory/token-shape';
import { PRIMARY_TOKEN_PATH } from '../inventory/vault-location';
import { numberedSteps, StepText } from './rotation-order';
import { allowOnly, instantOption, Options, tokenPathArgument } from './tokens-args';
import { deliveryOf, editMap, fileNameOf, plannedEdit, safeIsoUtc } from './tokens-map';
import { agentsPickUp } from './tokens-steps';
import { endpointAndToken } from './terminal-input';

export async function rotate(positional: string[], options: Options, io: CliIo): Promise<number> {
  allowOnly(options, ['minted-at', 'add', 'force', 'store', 'record-only', 'endpoint', 'skip-probe'], 'rotate');
  if (!options.has('store') && (options.has('endpoint') || options.has('skip-probe'))) {
    throw new CliError('--endpoint and --skip-probe go with --store (they choose how the token is checked before it is stored).', TokensExit.usage);
  }
  const tokenPath = tokenPathArgument(positional, 'rotate', 'primary');
  // The map is what every alert trusts: a line that nothing in Vault backs turns them green.
  if (options.has('store') === options.has('record-only')) {
    throw new CliError(
      options.has('store')
        ? '--store and --record-only exclude each other: --store writes the token to Vault and records it; --record-only records a token already there.'
        : `rotate records a mint time every expiry alert then trusts; say how the token gets to Vault: --store (read at a silent prompt, probed, stored, then recorded: node bin/tokens.js rotate ${tokenPath} --store) ` +
            'or --record-only (you store it yourself before this change merges). Nothing was written.',
      TokensExit.usage,
    );
  }
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
      throw new CliError(`'${showArgument(tokenPath)}' is not in ${document.fileName} (known: ${known.join(', ')}). To add a new token path, repeat with --add.`, TokensExit.usage);
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
      `Recorded only: the map now claims a token Vault may not hold yet. Until step 2 stores it, do not merge this change: its expiry alerts would read green `,
      `while the token in use still dies on its old date. (rotate ${tokenPath}${added ? ' --add' : ''} --store stores and records in one run.)`,
      '',
      'The rest of the rotation:',
      ...numberedSteps([
        ['Mint', "claude setup-token, if not done yet   (logged in to the agents' account)"],
        [
          'Store',
          'check it works first (wait for the prompt, then paste): node bin/tokens.js probe --stdin',
          '     then store it without it touching argv, shell history or a trailing newline (paste at the silent prompt, then Enter):',
          `       ${storeCommand(token.vault, added)}`,
        ],
        ['Review', `git diff ${fileName}   (one line), then open the pull request; CI runs npm run check.`],
        ['Deploy', `(after merge) ${deploy}   (it runs the monitor once and waits for the push)`, ...agentsPickUp(tokenPath, settings, delivery)],
        ...afterTheDeploy(tokenPath, token.vault, added),
      ]),
      '',
    ].join('\n'),
  );
  return TokensExit.ok;
}

/**
 * Confirm (primary only: a spare runs nowhere), revoke the token this one replaces (minting a new one
 * does not revoke it; never before the deploy, which moves the agents off it), then watch.
 */
function afterTheDeploy(tokenPath: string, vault: { path: string; field: string }, added: boolean, previousVersion?: number): StepText[] {
  const version = previousVersion === undefined ? '<the version before yours>' : String(previousVersion);
  return [
    ...(tokenPath === PRIMARY_TOKEN_PATH
      ? [['Confirm', 'the consumers run the new token: the deploy succeeded (its restart Job fails naming any consumer that did not move).'] as StepText]
      : []),
    ...(added
      ? []
      : [
          [
            'Revoke',
            'the token this one replaces, only after the deploy (the agents run on it until then): minting a new one does not revoke it.',
            "     At claude.ai, logged in to the agents' account, revoke the old Claude Code token (one at a time; it may take a while). To confirm it is dead:",
            `       vault kv get -version=${version} -field=${vault.field} ${vault.path} | node bin/tokens.js probe --stdin   (says "rejected")`,
          ] as StepText,
        ]),
    ['Watch', `ClaudeOAuthTokenExpiringSoon/Critical{path="${tokenPath}"} resolve within minutes of the deploy (docs/rotation.md, Rotating a token).`],
  ];
}

/**
 * `rotate --store`: step 3 and the record in one run. The map edit is checked first (a wrong path or
 * date fails before anything is sent); then the token, read once from standard input, is checked
 * for shape, probed, and written to Vault (merge, check-and-set, custom_metadata); only once Vault
 * has accepted it is the map line written. If that write fails, it says how to finish, and the
 * Vault version to roll back to.
 */
export async function storeAndRecord(
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
  try {
    await checkSecretWritable(connection, vault);
  } catch (error) {
    if (error instanceof VaultStoreError) throw new CliError(`${error.message} The token was not asked for; the map was not changed.`, TokensExit.vault);
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
    stored = await storeSecretField(connection, vault, token, { [MINTED_AT_KEY]: isoUtc(mintedAt), expires_at: isoUtc(expiryOf(mintedAt)), recorded_by: 'claude-oauth-tokens' });
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
        `To finish: npm run tokens -- rotate ${tokenPath}${stored.created ? ' --add' : ''} --record-only --minted-at ${isoUtc(mintedAt)}   (records it; no need to store again)\n` +
        (stored.created ? `To undo instead: vault kv metadata delete ${vault.path}   (the path was new)` : `To undo instead: vault kv rollback -version=${stored.previousVersion} ${vault.path}`),
      TokensExit.vault,
    );
  }
  const settings = io.settings ?? DEFAULT_SETTINGS;
  // A new path widens the Vault policy: vault-access too (with Vault admin credentials).
  const deploy = deployCommand(stored.created ? ['vault-access', 'claude-agent-service'] : ['claude-agent-service'], settings);
  io.stdout(
    [
      `Stored the token in Vault at ${vault.path} (version ${stored.version}${stored.created ? ', a new secret' : `, was ${stored.previousVersion}; its other fields kept`}), ` +
        `with minted_at and expires_at in its custom_metadata, and recorded '${tokenPath}' in ${fileName}: minted ${isoUtc(mintedAt)}, expires ${isoUtc(expiryOf(mintedAt))}.`,
      ...(stored.metadataProblem ? [`WARNING: ${stored.metadataProblem}`] : []),
      '',
      'The rest of the rotation:',
      ...numberedSteps([
        ['Review', `git diff ${fileName}   (one line), then open the pull request; CI runs npm run check, which names what the deploy changes.`],
        ['Deploy', `(after merge) ${deploy}   (it runs the monitor once and waits for the push)`, ...agentsPickUp(tokenPath, settings, deliveryOf(settings))],
        ...afterTheDeploy(tokenPath, vault, stored.created, stored.previousVersion),
      ]),
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
export function storeCommand(vault: { path: string; field: string }, isNew: boolean): string {
  return `read -rs TOKEN && printf '%s' "$TOKEN" | vault kv ${isNew ? 'put' : 'patch'} ${vault.path} ${vault.field}=- ; unset TOKEN`;
}

