import * as path from 'path';

/** The repository root (this file lives in settings/). */
export const REPO_ROOT = path.resolve(__dirname, '..');
/** The reviewed epoch map, relative to the repository root. */
export const EPOCH_MAP_FILE = 'stacks/claude-agent-service/token-mint-epochs.ts';
/** Where, under the synth output, the plain Prometheus rules file lands. */
export const RULES_FILE = 'prometheus-rules/claude-oauth-token-expiry.rules.yml';
/** Where, under the synth output, the one-time values for the plain prometheus chart land. */
export const CHART_VALUES_FILE = 'prometheus-rules/prometheus-chart-values.yaml';
