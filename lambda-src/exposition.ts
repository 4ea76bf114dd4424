import { Metrics, PATH_LABEL } from './contract';
import { ExpiryEntry } from './expiry-entries';

/** Escapes a label value for the Prometheus text exposition format (0.0.4). */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** The monitor's whole Pushgateway group in the text exposition format, HELP and TYPE included. */
export function renderExposition(entries: readonly ExpiryEntry[], pushedAt: number): string {
  const { expiryTimestamp, lastPushTimestamp } = Metrics;
  return [
    `# HELP ${expiryTimestamp.name} ${expiryTimestamp.help}`,
    `# TYPE ${expiryTimestamp.name} gauge`,
    ...entries.map((entry) => `${expiryTimestamp.name}{${PATH_LABEL}="${escapeLabelValue(entry.path)}"} ${entry.expiresAt}`),
    `# HELP ${lastPushTimestamp.name} ${lastPushTimestamp.help}`,
    `# TYPE ${lastPushTimestamp.name} gauge`,
    `${lastPushTimestamp.name} ${pushedAt}`,
    '',
  ].join('\n');
}
