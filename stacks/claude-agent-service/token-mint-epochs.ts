/**
 * When each long-lived Claude Code token (`claude setup-token`, valid 365 days) was minted, in unix
 * SECONDS (not the milliseconds of `.credentials.json`). Everything deployed is derived from this map:
 * the expiry ConfigMap, the monitor's metrics, the alerts, the status table.
 *
 * Rotation: mint and store the new token, change that token's one line (`npm run tokens -- rotate <path>`
 * writes it for you), get it reviewed, `cdktf deploy claude-agent-service`. One entry per line:
 *   <token path>: <mint unix seconds>, // <mint time, UTC>
 * `primary` is the token the agents use (Vault `secret/claude-agent-service`); `spare-N` lives at
 * `secret/claude-agent-service-spare-N`.
 */
export const TOKEN_MINT_EPOCHS: Readonly<Record<string, number>> = {
  primary: 1776528429, // 2026-04-18T16:07:09Z
  'spare-1': 1776528280, // 2026-04-18T16:04:40Z
  'spare-2': 1776528429, // 2026-04-18T16:07:09Z
};
