import { Duration } from '../inventory/duration';
import { TOKEN_TTL_SECONDS } from '../inventory/expiry';
import { DriftMetrics, Metrics, PATH_LABEL } from '../lambda-src/contract';
import { AlertRecord } from './alert-record';

export interface DriftAlertsProps {
  /**
   * How long after the recorded mint time a Vault write still counts as that rotation (minting,
   * checking and storing take a while).
   * @default Duration.hours(6)
   */
  readonly tolerance?: Duration;
  /** @default Duration.minutes(30) */
  readonly for?: Duration;
}

/**
 * The map and Vault disagree on when the token was minted, in either direction. Vault's side is when
 * the token it holds was minted (`minted_at`, recorded by `tokens rotate --store` with the version it
 * wrote) or, for a write by other means, when it was written.
 * - Vault later than the map: a rotation skipped the map, so every expiry date for that path is wrong.
 * - The map later than Vault: a rotation was recorded but never stored, so the expiry alerts read green
 *   while the real token still dies on its old date.
 */
export function driftAlerts(props: DriftAlertsProps = {}): AlertRecord[] {
  const tolerance = props.tolerance ?? Duration.hours(6);
  const vaultMint = `max by (${PATH_LABEL}) (${DriftMetrics.secretMinted.name})`;
  // The recorded mint time, from the exported expiry and the one TTL constant.
  const recordedMint = `(min by (${PATH_LABEL}) (${Metrics.expiryTimestamp.name}) - ${TOKEN_TTL_SECONDS})`;
  const token = `Claude Code OAuth token "{{ $labels.${PATH_LABEL} }}"`;
  return [
    {
      name: 'ClaudeOAuthTokenMintEpochDrift',
      expr: `${vaultMint} - ${recordedMint} > ${tolerance.toSeconds()}`,
      for: props.for ?? Duration.minutes(30),
      severity: 'warning',
      summary: `${token} was written to Vault without its mint time being updated in the map.`,
      description:
        `The token Vault holds for "{{ $labels.${PATH_LABEL} }}" was minted or written {{ $value | humanizeDuration }} after the mint time ` +
        'token-mint-epochs.ts records: it was probably rotated without updating the map, so its expiry alerts are wrong. ' +
        `Record the real mint time: npm run tokens -- rotate {{ $labels.${PATH_LABEL} }} --record-only --minted-at <when it was minted>.`,
      runbookHeading: 'ClaudeOAuthTokenMintEpochDrift',
      perToken: true,
    },
    {
      name: 'ClaudeOAuthTokenRecordedNotStored',
      expr: `${recordedMint} - ${vaultMint} > ${tolerance.toSeconds()}`,
      for: props.for ?? Duration.minutes(30),
      severity: 'critical',
      summary: `The map records a newer ${token} than Vault holds.`,
      description:
        `token-mint-epochs.ts records a mint {{ $value | humanizeDuration }} after the token Vault holds for "{{ $labels.${PATH_LABEL} }}" was minted or written: ` +
        'the new token was probably recorded but never stored, so its expiry alerts are green while the token the agents use still dies on its old date. ' +
        `Store it: node bin/tokens.js rotate {{ $labels.${PATH_LABEL} }} --store --minted-at <the mint time the map records>, then deploy.`,
      runbookHeading: 'ClaudeOAuthTokenRecordedNotStored',
      perToken: true,
    },
  ];
}
