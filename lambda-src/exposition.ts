import { EpochSeconds } from '../inventory/expiry';
import { DriftMetrics, Metrics, PATH_LABEL } from './contract';
import { ExpiryEntry } from './expiry-entries';

/** Escapes a label value for the Prometheus text exposition format (0.0.4). */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

export interface Sample {
  readonly labels?: Readonly<Record<string, string>>;
  readonly value: number;
}

/** One gauge with its HELP and TYPE lines and its samples. */
export function renderGauge(metric: { readonly name: string; readonly help: string }, samples: readonly Sample[]): string[] {
  const series = (labels: Readonly<Record<string, string>> = {}) => {
    const pairs = Object.entries(labels).map(([key, value]) => `${key}="${escapeLabelValue(value)}"`);
    return pairs.length > 0 ? `${metric.name}{${pairs.join(',')}}` : metric.name;
  };
  return [`# HELP ${metric.name} ${metric.help}`, `# TYPE ${metric.name} gauge`, ...samples.map((sample) => `${series(sample.labels)} ${sample.value}`)];
}

/**
 * The monitor's whole Pushgateway group in the text exposition format, HELP and TYPE included, with
 * the drift check's samples when it ran.
 */
export function renderExposition(entries: readonly ExpiryEntry[], pushedAt: EpochSeconds, drift?: { updated: Sample[]; minted: Sample[]; success: Sample[] }): string {
  return [
    ...renderGauge(Metrics.expiryTimestamp, entries.map((entry) => ({ labels: { [PATH_LABEL]: entry.path }, value: entry.expiresAt }))),
    ...renderGauge(Metrics.lastPushTimestamp, [{ value: pushedAt }]),
    ...(drift ? [...renderGauge(DriftMetrics.secretUpdated, drift.updated), ...renderGauge(DriftMetrics.secretMinted, drift.minted), ...renderGauge(DriftMetrics.vaultCheckSuccess, drift.success)] : []),
    '',
  ].join('\n');
}
