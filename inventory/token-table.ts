import { isoUtc } from './expiry';
import { TokenInventory } from './token-inventory';

/** The inventory as an aligned plain-text table: what synth prints and `tokens status` shows. */
export function formatTokenTable(inventory: TokenInventory): string {
  const header = ['PATH', 'VAULT PATH', 'MINTED (UTC)', 'EXPIRES (UTC)', 'DAYS LEFT', 'STATUS'];
  const rows = inventory.tokens.map((token) => [
    token.path,
    token.vault.path,
    isoUtc(token.mintedAt),
    isoUtc(token.expiresAt),
    String(token.daysLeft),
    token.status,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  return [header, ...rows].map((row) => row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd()).join('\n');
}
