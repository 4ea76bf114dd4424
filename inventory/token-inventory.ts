import { EpochMapDocument, EpochMapError, EpochMapSource, mintEpochsOf, readEpochMap } from './epoch-map-file';
import {
  daysLeft,
  SECONDS_PER_DAY,
  DEFAULT_EXPIRY_THRESHOLDS,
  EARLIEST_MINT_EPOCH,
  EpochSeconds,
  epochSeconds,
  fromEpochMilliseconds,
  nowInSeconds,
  ExpiryThresholds,
  expiryOf,
  expiryThresholdsProblem,
  isoUtc,
  MILLISECONDS_FLOOR,
  MINT_CLOCK_SKEW_SECONDS,
  statusOf,
  TokenStatus,
} from './expiry';
import { tokenPathProblem } from './token-path';
import { showArgument } from './token-shape';
import { DEFAULT_VAULT_KV_LAYOUT, PRIMARY_TOKEN_PATH, VaultKvLayout, VaultSecretLocation, vaultSecretLocation } from './vault-location';

/** Token path -> unix seconds at which `claude setup-token` minted it. */
export type MintEpochs = Readonly<Record<string, number>>;

export { MINT_CLOCK_SKEW_SECONDS } from './expiry';

export interface TokenInventoryOptions {
  /**
   * The present, in unix seconds: decides "future" mint dates, days left and status.
   * @default the system clock
   */
  readonly now?: EpochSeconds;
  /**
   * The parsed map the epochs came from: every message then names the entry's file and line.
   * @default messages name the path only
   */
  readonly document?: EpochMapDocument;
  /**
   * When a token turns warning and critical; the alert rules must be built from the same.
   * @default 30 and 7 days
   */
  readonly thresholds?: ExpiryThresholds;
  /**
   * Where the tokens live in Vault.
   * @default mount `secret`, base name `claude-agent-service`, field `claude_oauth_token`
   */
  readonly vault?: VaultKvLayout;
}

/** Everything known about one token, derived once. */
export interface TokenRecord {
  /** Token path, e.g. `primary` or `spare-1`: ConfigMap key, metric label, Vault suffix. */
  readonly path: string;
  /** When `claude setup-token` minted it. */
  readonly mintedAt: EpochSeconds;
  /** When it stops working: mint + 365 days. */
  readonly expiresAt: EpochSeconds;
  /** Whole days left at `now` (floor); negative once expired. */
  readonly daysLeft: number;
  readonly status: TokenStatus;
  readonly vault: VaultSecretLocation;
}

export interface TokenInventory {
  /** The records, in map order. */
  readonly tokens: readonly TokenRecord[];
  /** The token the agents use. */
  readonly primary: TokenRecord;
  /** The `now` the inventory was computed at. */
  readonly now: EpochSeconds;
  /** The thresholds every status was computed with. */
  readonly thresholds: ExpiryThresholds;
  /** Where the tokens live in Vault: every record's `vault` location, and the monitor's drift check, follow it. */
  readonly vaultLayout: Required<VaultKvLayout>;
  /** Problems that must not block a deploy (the fix has to stay deployable), e.g. an expired token. */
  readonly warnings: readonly string[];
}

export { EpochMapError } from './epoch-map-file';

/**
 * Validates the epoch map and derives every token's expiry, days left, status and Vault location.
 * Throws {@link EpochMapError} listing every bad entry; an expired token is only a warning.
 */
export function buildTokenInventory(mintEpochs: MintEpochs, options: TokenInventoryOptions = {}): TokenInventory {
  const now = options.now ?? nowInSeconds();
  const where = entryLocator(options.document);
  const thresholds = options.thresholds ?? DEFAULT_EXPIRY_THRESHOLDS;
  const thresholdsProblem = expiryThresholdsProblem(thresholds);
  if (thresholdsProblem) throw new Error(`buildTokenInventory: ${thresholdsProblem}`);
  const problems: string[] = [];
  const paths = Object.keys(mintEpochs);
  if (paths.length === 0) {
    problems.push(`the map is empty: add '${PRIMARY_TOKEN_PATH}: <mint unix seconds>,' for the token the agents use.`);
  } else if (!paths.includes(PRIMARY_TOKEN_PATH)) {
    problems.push(
      `there is no '${PRIMARY_TOKEN_PATH}' entry: the agents' secret is read from it. ` +
        `Add '${PRIMARY_TOKEN_PATH}: <mint unix seconds>,' (or promote a spare by renaming it).`,
    );
  }
  for (const path of paths) {
    const pathProblem = tokenPathProblem(path);
    if (pathProblem) problems.push(`${where(path)}: ${pathProblem}`);
    const epochProblem = checkMintEpoch(mintEpochs[path], now);
    if (epochProblem) problems.push(`${where(path)}: ${epochProblem}`);
  }
  if (problems.length > 0) throw new EpochMapError(problems);

  const tokens = paths.map((path): TokenRecord => {
    const mintedAt = epochSeconds(mintEpochs[path]); // validated above
    const expiresAt = expiryOf(mintedAt);
    return {
      path,
      mintedAt,
      expiresAt,
      daysLeft: daysLeft(expiresAt, now),
      status: statusOf(expiresAt, now, thresholds),
      vault: vaultSecretLocation(path, options.vault),
    };
  });
  const warnings = tokens
    .filter((token) => token.status === 'expired')
    .map(
      (token) =>
        // The table's days-left column, negated: one count of days everywhere.
        `${where(token.path)} EXPIRED at ${isoUtc(token.expiresAt)} (${-token.daysLeft} days ago): agents using it get 401s. ` +
          `Rotate it now: mint with 'claude setup-token', store it in Vault at ${token.vault.path}, then update this entry.`,
    );
  const expiries = tokens.map((token) => token.expiresAt);
  const spread = Math.max(...expiries) - Math.min(...expiries);
  if (tokens.length > 1 && spread < thresholds.warningDays * SECONDS_PER_DAY) {
    warnings.push(
      `all ${tokens.length} tokens expire within ${spanOf(spread)} of each other ` +
        `(${isoUtc(epochSeconds(Math.min(...expiries)))} to ${isoUtc(epochSeconds(Math.max(...expiries)))}): when one enters the ${thresholds.warningDays}-day warning window ` +
        'the spares do too, so they give no runway. Re-mint the spares at staggered times (npm run tokens -- rotate <spare>).',
    );
  }
  const vaultLayout = { ...DEFAULT_VAULT_KV_LAYOUT, ...definedFields(options.vault) };
  return { tokens, primary: tokens.find((token) => token.path === PRIMARY_TOKEN_PATH)!, now, thresholds, vaultLayout, warnings };
}

/** A span of seconds in the largest whole unit that fits it: `3 minutes`, `5 hours`, `12 days`. */
function spanOf(seconds: number): string {
  const [amount, unit] = seconds >= SECONDS_PER_DAY ? [Math.floor(seconds / SECONDS_PER_DAY), 'day'] : seconds >= 3600 ? [Math.floor(seconds / 3600), 'hour'] : [Math.max(1, Math.ceil(seconds / 60)), 'minute'];
  return `${amount} ${unit}${amount === 1 ? '' : 's'}`;
}

/** The fields of `layout` that are set (an explicit `undefined` keeps the default, as vaultSecretLocation reads it). */
function definedFields(layout: VaultKvLayout = {}): VaultKvLayout {
  return Object.fromEntries(Object.entries(layout).filter(([, value]) => value !== undefined));
}

function entryLocator(document: EpochMapDocument | undefined): (path: string) => string {
  const lineByPath = new Map((document?.entries ?? []).map((entry) => [entry.path, entry.line]));
  return (path) => {
    const line = lineByPath.get(path);
    return line === undefined ? `'${showArgument(path)}'` : `'${showArgument(path)}' (${document!.fileName}:${line})`;
  };
}

/**
 * The one way synth, `tokens` and `check` turn the map's source into an inventory: parsed by
 * {@link readEpochMap}, then validated as {@link buildTokenInventory} does. Throws {@link EpochMapError}.
 */
export function readTokenInventory(source: EpochMapSource, options: Omit<TokenInventoryOptions, 'document'> = {}): TokenInventory {
  const document = readEpochMap(source);
  return buildTokenInventory(mintEpochsOf(document), { ...options, document });
}

/**
 * The same tokens as seen at another instant (`tokens status --at`): days left and status as of
 * `at` (unix seconds). Validation stays that of the inventory's own `now`.
 */
export function inventoryAt(inventory: TokenInventory, at: EpochSeconds): TokenInventory {
  const tokens = inventory.tokens.map((token) => ({ ...token, daysLeft: daysLeft(token.expiresAt, at), status: statusOf(token.expiresAt, at, inventory.thresholds) }));
  return { ...inventory, tokens, primary: tokens.find((token) => token.path === PRIMARY_TOKEN_PATH)!, now: at };
}

function checkMintEpoch(value: unknown, now: EpochSeconds): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return `mint epoch ${JSON.stringify(value)} is not a number: write the unix seconds of minting, e.g. ${now}.`;
  }
  if (!Number.isInteger(value)) {
    return `mint epoch ${value} is not a whole number of seconds: write ${Math.floor(value)}.`;
  }
  if (value >= MILLISECONDS_FLOOR) {
    const seconds = fromEpochMilliseconds(value);
    const plausible = seconds >= EARLIEST_MINT_EPOCH && seconds <= now + MINT_CLOCK_SKEW_SECONDS;
    return plausible
      ? `mint epoch ${value} is in milliseconds (like expiresAt in .credentials.json): write seconds, ${seconds} (${isoUtc(seconds)}).`
      : `mint epoch ${value} is not plausible unix seconds (it is far in the future): write the unix seconds of minting, e.g. ${now}.`;
  }
  if (value < EARLIEST_MINT_EPOCH) {
    // Past Date's range (±8.64e12 s) there is no date to show.
    if (value < -8.64e12) return `mint epoch ${value} is not plausible unix seconds (no date is that early): write the unix seconds of minting, e.g. ${now}.`;
    return `mint epoch ${value} (${isoUtc(epochSeconds(value))}) is before ${isoUtc(EARLIEST_MINT_EPOCH)}, earlier than any setup-token: check the number (unix seconds of minting).`;
  }
  if (value > now + MINT_CLOCK_SKEW_SECONDS) {
    return `mint epoch ${value} (${isoUtc(epochSeconds(value))}) is in the future (now is ${isoUtc(now)}): write when the token was actually minted.`;
  }
  return undefined;
}
