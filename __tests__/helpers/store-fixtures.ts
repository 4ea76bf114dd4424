import { readFileSync } from 'fs';
import * as path from 'path';
import { epochSeconds } from '../../inventory/expiry';

/** What the rotate --store tests share: the example map, a fixed present, and the operator's Vault token. */
export const EXAMPLE = readFileSync(path.resolve(__dirname, '../../stacks/claude-agent-service/token-mint-epochs.ts'), 'utf8');
/** 2026-11-23T00:00:00Z: every example token is healthy. */
export const NOW = epochSeconds(Date.UTC(2026, 10, 23) / 1000);
export const VAULT_TOKEN = 'hvs.operator-token-for-tests';
