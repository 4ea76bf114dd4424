import { Release } from '@cdktf/provider-helm/lib/release';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { IPushgateway } from './pushgateway';
import { KUBE_PROMETHEUS_STACK_SELECTOR } from '../settings/object-names';

export interface PushgatewayReleaseProps {
  /** Namespace to install into (created if missing). */
  readonly namespace: string;
  /**
   * Release name and the Service's name (`fullnameOverride`), so the URL is predictable.
   * @default 'claude-oauth-pushgateway'
   */
  readonly name?: string;
  /**
   * prometheus-community/prometheus-pushgateway chart version, pinned.
   * @default '3.2.0'
   */
  readonly chartVersion?: string;
  /**
   * The Helm chart repository serving the chart: a mirror where the public one cannot be reached
   * (an air-gapped cluster).
   * @default 'https://prometheus-community.github.io/helm-charts'
   */
  readonly chartRepository?: string;
  /**
   * Size of the volume that keeps the last push across restarts.
   * @default '1Gi'
   */
  readonly storageSize?: string;
  /**
   * How Prometheus finds it: a ServiceMonitor (Prometheus Operator) with these labels for its
   * `serviceMonitorSelector`, or the `prometheus.io/probe: pushgateway` Service annotation that the
   * plain prometheus chart's `prometheus-pushgateway` scrape job (honor_labels) keeps.
   * @default { serviceMonitorLabels: { release: 'kube-prometheus-stack' } }
   */
  readonly scrape?: { readonly serviceMonitorLabels: Readonly<Record<string, string>> } | { readonly annotation: true };
}

const SERVICE_PORT = 9091;
const PROMETHEUS_COMMUNITY_CHARTS = 'https://prometheus-community.github.io/helm-charts';

/**
 * A Pushgateway of our own, from the prometheus-community chart: persistence on (a restart keeps
 * the last push, so no alert goes blind), scraped with honor_labels (so `job` stays the monitor's)
 * through a ServiceMonitor or the plain chart's annotation. Needs the Helm provider in the stack.
 */
export class PushgatewayRelease extends Construct implements IPushgateway {
  /** In-cluster URL the monitor pushes to. */
  readonly url: string;
  readonly release: Release;

  constructor(scope: Construct, id: string, props: PushgatewayReleaseProps) {
    super(scope, id);
    const name = props.name ?? 'claude-oauth-pushgateway';
    const chartVersion = props.chartVersion ?? '3.2.0';
    const scrape = props.scrape;
    if (!/^\d+\.\d+\.\d+$/.test(chartVersion)) {
      throw new Error(`PushgatewayRelease '${name}': chartVersion '${chartVersion}' must be an exact version (e.g. '3.2.0'), not a range.`);
    }
    const values = {
      fullnameOverride: name,
      automountServiceAccountToken: false,
      // The chart mounts the volume but passes no persistence flag of its own.
      extraArgs: ['--persistence.file=/data/pushgateway.data', '--persistence.interval=1m'],
      persistentVolume: { enabled: true, size: props.storageSize ?? '1Gi', mountPath: '/data' },
      ...(scrape && 'annotation' in scrape
        ? { serviceAnnotations: { 'prometheus.io/probe': 'pushgateway' }, serviceMonitor: { enabled: false } }
        : {
            serviceMonitor: {
              enabled: true,
              namespace: props.namespace,
              honorLabels: true,
              additionalLabels: scrape?.serviceMonitorLabels ?? KUBE_PROMETHEUS_STACK_SELECTOR,
            },
          }),
      securityContext: { fsGroup: 65534, runAsUser: 65534, runAsGroup: 65534, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      containerSecurityContext: {
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ['ALL'] },
      },
      resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '200m', memory: '128Mi' } },
      service: { port: SERVICE_PORT },
    };
    this.release = new Release(this, 'release', {
      name,
      namespace: props.namespace,
      createNamespace: true,
      repository: props.chartRepository ?? PROMETHEUS_COMMUNITY_CHARTS,
      chart: 'prometheus-pushgateway',
      version: chartVersion,
      values: [stringify(values)],
      atomic: true,
      wait: true,
      timeout: 300,
    });
    this.url = `http://${name}.${props.namespace}:${SERVICE_PORT}`;
  }
}
