/**
 * `tokens status`, `remove`, `promote` and `probe`.
 */
import { removeEntry, setEntry } from '../inventory/epoch-map-edit';
import { mintEpochsOf, readEpochMap } from '../inventory/epoch-map-file';
import { EpochSeconds, epochSeconds, expiryOf, isoUtc } from '../inventory/expiry';
import { inventoryAt } from '../inventory/token-inventory';
import { formatTokenTable } from '../inventory/token-table';
import { PRIMARY_TOKEN_PATH, vaultSecretLocation } from '../inventory/vault-location';
import { DEFAULT_PROBE_BETA, DEFAULT_PROBE_TIMEOUT_MS } from '../lambda-src/contract';
import { probeToken } from '../lambda-src/token-probe';
import { MINTED_AT_KEY, MINTED_VERSION_KEY } from '../lambda-src/vault-metadata';
import { DEFAULT_SETTINGS } from '../settings/app-settings';
import { deployCommand } from '../settings/stack-graph';
import { CliError, CliIo, ProbeExit, TokensExit } from './tokens-io';
import { showArgument } from '../inventory/token-shape';
import { allowOnly, instantOption, Options, tokenPathArgument } from './tokens-args';
import { asCliError, deliveryOf, editMap, fileNameOf, inventoryOf, readMap } from './tokens-map';
import { agentsPickUp } from './tokens-steps';
import { endpointAndToken } from './terminal-input';

export function status(positional: string[], options: Options, io: CliIo): number {
  allowOnly(options, ['json', 'output', 'fail-under-days', 'at'], 'status');
  const output = options.get('output');
  if (output !== undefined && output !== 'json') {
    throw new CliError(`--output ${JSON.stringify(showArgument(String(output)))}: the only output is json (-o json, as --json); leave it out for the table.`, TokensExit.usage);
  }
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

  if (options.has('json') || output === 'json') {
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

export function remove(positional: string[], options: Options, io: CliIo): number {
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
  const vault = vaultSecretLocation(tokenPath, (io.settings ?? DEFAULT_SETTINGS).vault);
  const deploy = deployCommand(['vault-access', 'claude-agent-service'], io.settings ?? DEFAULT_SETTINGS);
  io.stdout(
    `Removed '${tokenPath}' from ${fileNameOf(io)}; ${inventory.tokens.length} token${inventory.tokens.length === 1 ? '' : 's'} left.\n` +
      `Deploy (the Vault policy narrows too, so with Vault admin credentials): ${deploy}\n` +
      `After deploying, delete the secret if nothing else uses it: vault kv metadata delete ${vault.path}\n`,
  );
  return TokensExit.ok;
}

export function promote(positional: string[], options: Options, io: CliIo): number {
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
  const [from, to] = [vaultSecretLocation(spare, settings.vault), vaultSecretLocation(PRIMARY_TOKEN_PATH, settings.vault)];
  io.stdout(
    [
      `Promoted '${spare}' in ${fileNameOf(io)}: '${PRIMARY_TOKEN_PATH}' now records its mint time ${isoUtc(mintedAt)} (expires ${isoUtc(expiryOf(mintedAt))}), and its own line is gone.`,
      '',
      'The rest of the failover, in this order:',
      '  1. Copy the spare over the primary in Vault (a pipe: the token never touches argv or shell history), then record its mint',
      '     time with the version just written (drift detection compares it with the map):',
      `       vault kv get -field=${from.field} ${from.path} | vault kv patch ${to.path} ${to.field}=-`,
      `       vault kv metadata patch ${recordedMintFlags(mintedAt)} -custom-metadata=${MINTED_VERSION_KEY}="$(vault kv metadata get -format=json ${to.path} | jq -r .data.current_version)" ${to.path}`,
      `  2. Deploy (the spare leaves the Vault policy, so with Vault admin credentials): ${deployCommand(['vault-access', 'claude-agent-service'], settings)}`,
      '  3. The agents onto the new primary:',
      ...agentsPickUp(PRIMARY_TOKEN_PATH, settings, delivery),
      `  4. Mint a new spare when you can, and store and record it in one run: node bin/tokens.js rotate ${spare} --add --store`,
      '',
    ].join('\n'),
  );
  return TokensExit.ok;
}

/**
 * The probe endpoint (checked first: nothing is read for an endpoint that would be refused) and the
 * token, read once from standard input and checked for shape. Every refusal ends with `nothing`.
 */

export async function probe(positional: string[], options: Options, io: CliIo): Promise<number> {
  allowOnly(options, ['stdin', 'endpoint'], 'probe');
  if (positional.length > 0 || !options.has('stdin')) {
    throw new CliError("'probe' reads the token from standard input only: node bin/tokens.js probe --stdin, then paste it at the prompt. Never pass it as an argument.", ProbeExit.usage);
  }
  const { endpoint, token } = await endpointAndToken(options, io, ProbeExit.usage, 'Nothing was sent.');
  const outcome = await probeToken(token, { endpoint, betaHeader: DEFAULT_PROBE_BETA, timeoutMs: DEFAULT_PROBE_TIMEOUT_MS });
  io.stdout(`${outcome.result}${outcome.reason ? ` (${outcome.reason})` : ''}\n`);
  return { valid: ProbeExit.valid, rejected: ProbeExit.rejected, unknown: ProbeExit.unknown }[outcome.result];
}

/** The custom_metadata `rotate --store` writes about a mint, as Vault CLI flags. */
function recordedMintFlags(mintedAt: EpochSeconds): string {
  return [`${MINTED_AT_KEY}=${isoUtc(mintedAt)}`, `expires_at=${isoUtc(expiryOf(mintedAt))}`, 'recorded_by=claude-oauth-tokens'].map((item) => `-custom-metadata=${item}`).join(' ');
}
