import { SECONDS_PER_DAY } from '../../inventory/expiry';
import { buildTokenInventory, MintEpochs, TokenInventory } from '../../inventory/token-inventory';
import { epochSeconds } from '../../inventory/expiry';

/** A fixed "now" for tests: 2026-11-23T00:00:00Z. */
export const TEST_NOW = epochSeconds(Date.UTC(2026, 10, 23) / 1000);

export function daysAgo(days: number, now = TEST_NOW): number {
  return now - days * SECONDS_PER_DAY;
}

/** The example deployment's map, minted 2026-04-18. */
export const EXAMPLE_MINT_EPOCHS: MintEpochs = { primary: 1776528429, 'spare-1': 1776528280, 'spare-2': 1776528429 };

export function testInventory(mintEpochs: MintEpochs = EXAMPLE_MINT_EPOCHS): TokenInventory {
  return buildTokenInventory(mintEpochs, { now: TEST_NOW });
}
