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
 * The map drifted from Vault: the token secret was written well after the mint time the map records,
 * so a rotation skipped the map and every expiry date for that path is wrong.
 */
export function driftAlerts(props: DriftAlertsProps = {}): AlertRecord[] {
  const tolerance = props.tolerance ?? Duration.hours(6);
  const updated = `max by (${PATH_LABEL}) (${DriftMetrics.secretUpdated.name})`;
  // The recorded mint time, from the exported expiry and the one TTL constant.
  const recordedMint = `(min by (${PATH_LABEL}) (${Metrics.expiryTimestamp.name}) - ${TOKEN_TTL_SECONDS})`;
  return [
    {
      name: 'ClaudeOAuthTokenMintEpochDrift',
      expr: `${updated} - ${recordedMint} > ${tolerance.toSeconds()}`,
      for: props.for ?? Duration.minutes(30),
      severity: 'warning',
      summary: `Claude Code OAuth token "{{ $labels.${PATH_LABEL} }}" was written to Vault without its mint time being updated in the map.`,
      description:
        `The Vault secret of Claude Code OAuth token "{{ $labels.${PATH_LABEL} }}" was written {{ $value | humanizeDuration }} after the mint time ` +
        'token-mint-epochs.ts records: it was probably rotated without updating the map, so its expiry alerts are wrong. ' +
        `Record the real mint time: npm run tokens -- rotate {{ $labels.${PATH_LABEL} }} --minted-at <when it was minted>.`,
      runbookHeading: 'ClaudeOAuthTokenMintEpochDrift',
      perToken: true,
    },
  ];
}
