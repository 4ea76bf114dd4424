import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
import { Construct } from 'constructs';
import { Metrics, PATH_LABEL } from '../lambda-src/contract';
import { checkConfigMapData } from './kubernetes-limits';
import { recommendedLabels } from './labels';

/** One dashboard panel: what it shows and the PromQL behind it. */
export interface DashboardPanel {
  readonly title: string;
  readonly type: 'bargauge' | 'table' | 'stat';
  readonly expr: string;
  readonly unit: string;
  readonly legend?: string;
}

const expiry = `min by (${PATH_LABEL}) (${Metrics.expiryTimestamp.name})`;

/** The panels, exported so that tests can run every query against a real Prometheus. */
export const TOKEN_EXPIRY_PANELS: readonly DashboardPanel[] = [
  { title: 'Days left per token', type: 'bargauge', expr: `(${expiry} - time()) / 86400`, unit: 'd', legend: `{{${PATH_LABEL}}}` },
  { title: 'Expiry date per token', type: 'table', expr: `${expiry} * 1000`, unit: 'dateTimeAsIso', legend: `{{${PATH_LABEL}}}` },
  { title: 'Time since the monitor last pushed', type: 'stat', expr: `time() - max(${Metrics.lastPushTimestamp.name})`, unit: 's' },
  { title: 'Token alerts', type: 'table', expr: 'ALERTS{alertname=~"ClaudeOAuthToken.*"}', unit: 'none' },
];

export interface TokenExpiryDashboardProps {
  /** Namespace the Grafana sidecar watches. */
  readonly namespace: string;
  /**
   * Name of the ConfigMap.
   * @default 'claude-oauth-token-expiry-dashboard'
   */
  readonly name?: string;
}

/** A Grafana dashboard in a ConfigMap labelled for the Grafana sidecar (`grafana_dashboard: "1"`). */
export class TokenExpiryDashboard extends Construct {
  /** The dashboard model, as shipped. */
  readonly dashboard: Record<string, unknown>;

  constructor(scope: Construct, id: string, props: TokenExpiryDashboardProps) {
    super(scope, id);
    const name = props.name ?? 'claude-oauth-token-expiry-dashboard';
    const datasource = { type: 'prometheus', uid: '${datasource}' };
    this.dashboard = {
      uid: 'claude-oauth-token-expiry',
      title: 'Claude OAuth token expiry',
      tags: ['claude-oauth-tokens'],
      schemaVersion: 39,
      time: { from: 'now-30d', to: 'now' },
      refresh: '5m',
      templating: { list: [{ name: 'datasource', type: 'datasource', query: 'prometheus', current: {} }] },
      panels: TOKEN_EXPIRY_PANELS.map((panel, index) => ({
        id: index + 1,
        title: panel.title,
        type: panel.type,
        datasource,
        gridPos: { h: 8, w: 12, x: (index % 2) * 12, y: Math.floor(index / 2) * 8 },
        fieldConfig: { defaults: { unit: panel.unit }, overrides: [] },
        targets: [{ refId: 'A', datasource, expr: panel.expr, legendFormat: panel.legend ?? '', instant: panel.type !== 'bargauge' }],
      })),
    };
    const data = { 'claude-oauth-token-expiry.json': JSON.stringify(this.dashboard, null, 2) };
    checkConfigMapData(`TokenExpiryDashboard '${name}'`, name, data, 'the dashboard is too large.');
    new ConfigMapV1(this, 'resource', {
      metadata: {
        name,
        namespace: props.namespace,
        labels: { ...recommendedLabels(name, 'dashboard'), grafana_dashboard: '1' },
      },
      data,
    });
  }
}
