import { readdirSync, readFileSync, statSync } from 'fs';
import * as path from 'path';
import { EARLIEST_MINT_EPOCH, expiryOf, isoUtc, MILLISECONDS_FLOOR } from '../inventory/expiry';
import { tokenPathProblem } from '../inventory/token-path';

/** One token's expiry, as read from the mounted ConfigMap. */
export interface ExpiryEntry {
  readonly path: string;
  /** Unix seconds. */
  readonly expiresAt: number;
}

/** Bad settings, or a missing, empty or bad expiry map: nothing may be pushed. */
export class MonitorInputError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.length === 1 ? problems[0] : `${problems.length} problems:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'MonitorInputError';
  }
}

/** No token minted on or after 2025-01-01 can expire before this. */
const EARLIEST_EXPIRY = expiryOf(EARLIEST_MINT_EPOCH);
const DECIMAL_INTEGER = /^\d+$/;

/**
 * Reads a ConfigMap mounted as a volume: one file per token path. The kubelet's atomic writer also
 * leaves `..data` and `..<timestamp>` entries there, which are never tokens.
 */
export function readExpiryDirectory(directory: string): ExpiryEntry[] {
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch (error) {
    throw new MonitorInputError([
      `cannot read the expiry directory ${directory} (${(error as NodeJS.ErrnoException).code ?? error}): ` +
        'mount the claude-oauth-token-expiry ConfigMap there, or point TOKEN_EXPIRY_DIR at it.',
    ]);
  }
  const problems: string[] = [];
  const entries: ExpiryEntry[] = [];
  for (const name of names.filter((entry) => !entry.startsWith('..')).sort()) {
    const file = path.join(directory, name);
    if (!statSync(file).isFile()) continue;
    const pathProblem = tokenPathProblem(name);
    if (pathProblem) {
      problems.push(`entry '${name}' ${pathProblem}`);
      continue;
    }
    const text = readFileSync(file, 'utf8').trim();
    const problem = expiryProblem(text);
    if (problem) problems.push(`entry '${name}': ${problem}`);
    else entries.push({ path: name, expiresAt: Number(text) });
  }
  if (problems.length === 0 && entries.length === 0) {
    problems.push(`the expiry directory ${directory} holds no tokens: an empty push would hide every token; check the ConfigMap.`);
  }
  if (problems.length > 0) throw new MonitorInputError(problems);
  return entries;
}

function expiryProblem(text: string): string | undefined {
  if (!DECIMAL_INTEGER.test(text)) {
    return `value ${JSON.stringify(text.slice(0, 40))} is not a whole number of unix seconds; regenerate the ConfigMap with cdktf deploy.`;
  }
  const value = Number(text);
  if (value >= MILLISECONDS_FLOOR) {
    return `value ${text} looks like milliseconds; the map must hold expiry in unix seconds (${Math.floor(value / 1000)}).`;
  }
  if (value < EARLIEST_EXPIRY) {
    return `value ${text} (${isoUtc(value)}) is before any possible expiry (${isoUtc(EARLIEST_EXPIRY)}); is it a mint time instead of an expiry?`;
  }
  return undefined;
}
