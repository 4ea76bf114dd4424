import { Duration } from '../inventory/duration';
import { PATH_LABEL } from '../lambda-src/contract';

/** One alert, as data: the PrometheusRule, the plain rules file, the runbook links and the promtool tests come from it. */
export interface AlertRecord {
  /** `alertname`, e.g. `ClaudeOAuthTokenCritical`. */
  readonly name: string;
  /** PromQL; its value is what the description's `$value` shows. */
  readonly expr: string;
  /** How long the condition must hold before the alert fires. */
  readonly for: Duration;
  readonly severity: 'warning' | 'critical';
  /**
   * One sentence: what is wrong, and for a per-token alert which token (`{{ $labels.path }}`):
   * receivers that print only the summary (a Slack template, say) must still say which.
   */
  readonly summary: string;
  /** Templated detail: which token, when, how long. */
  readonly description: string;
  /** Heading of the alert's runbook section in the README (its anchor is this, lowercased). */
  readonly runbookHeading: string;
  /** Whether each alert carries the token `path` label (one alert per token). */
  readonly perToken: boolean;
}

/** A rule of a Prometheus rules file, as Prometheus and the PrometheusRule CRD both read it. */
export interface PrometheusAlertingRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface PrometheusRuleGroup {
  readonly name: string;
  readonly rules: readonly PrometheusAlertingRule[];
}

/** GitHub's anchor for a Markdown heading (lowercase; spaces to '-'; most punctuation dropped). */
export function markdownAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\w\- ]/g, '')
    .replace(/ /g, '-');
}

/**
 * The rule group both the PrometheusRule and the plain rules file carry. `extraLabels` go on every
 * alert (e.g. the `namespace` an operator-managed AlertmanagerConfig matches on).
 */
export function toRuleGroup(
  name: string,
  records: readonly AlertRecord[],
  runbookUrl: string,
  extraLabels: Readonly<Record<string, string>> = {},
): PrometheusRuleGroup {
  for (const record of records) {
    if (record.perToken && !record.summary.includes(`$labels.${PATH_LABEL}`)) {
      throw new Error(`alert ${record.name}: its summary must name the token ({{ $labels.${PATH_LABEL} }}), for receivers that print only the summary.`);
    }
  }
  return {
    name,
    rules: records.map((record) => ({
      alert: record.name,
      expr: record.expr,
      for: record.for.toDurationString(),
      labels: { ...extraLabels, severity: record.severity },
      annotations: {
        summary: record.summary,
        description: record.description,
        runbook_url: `${runbookUrl}#${markdownAnchor(record.runbookHeading)}`,
      },
    })),
  };
}
