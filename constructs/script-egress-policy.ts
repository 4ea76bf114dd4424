import { NetworkPolicyV1, NetworkPolicyV1SpecEgress } from '@cdktf/provider-kubernetes/lib/network-policy-v1';
import { Construct } from 'constructs';
import { recommendedLabels } from './labels';

/** Ranges that are never "the internet": an external destination may not reach into them. */
const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', '100.64.0.0/10'];

export interface ScriptEgressPolicyProps {
  /** Namespace of the pods. */
  readonly namespace: string;
  /** Name of the policy. */
  readonly name: string;
  /** Labels that select exactly the script's pods. */
  readonly podLabels: Readonly<Record<string, string>>;
  /**
   * Where the pods may connect, as URLs. An in-cluster Service (`http://<service>.<namespace>[.svc…]:<port>`)
   * is reached in its namespace only; any other host on its port, outside the private ranges.
   */
  readonly destinations: readonly string[];
  /**
   * Namespace of the cluster DNS, which every pod must still reach.
   * @default 'kube-system'
   */
  readonly dnsNamespace?: string;
}

/**
 * Default-deny egress for one bundled script's pods, but for DNS and its named destinations: a
 * compromised probe, which holds every token, can send them nowhere but the endpoint's port.
 * NetworkPolicy knows no hostnames, so an external host is "its port, off the private ranges".
 */
export class ScriptEgressPolicy extends Construct {
  readonly policy: NetworkPolicyV1;

  constructor(scope: Construct, id: string, props: ScriptEgressPolicyProps) {
    super(scope, id);
    if (props.destinations.length === 0) throw new Error(`ScriptEgressPolicy '${props.name}': no destinations given; the pods could not push.`);
    const dns: NetworkPolicyV1SpecEgress = {
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': props.dnsNamespace ?? 'kube-system' } } }],
      ports: [
        { protocol: 'UDP', port: '53' },
        { protocol: 'TCP', port: '53' },
      ],
    };
    this.policy = new NetworkPolicyV1(this, 'resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: recommendedLabels(props.name, 'network-policy') },
      spec: {
        podSelector: { matchLabels: { ...props.podLabels } },
        policyTypes: ['Egress'],
        egress: [dns, ...props.destinations.map((url) => egressTo(url, props.name))],
      },
    });
  }
}

/** One destination URL as an egress rule. */
export function egressTo(url: string, owner: string): NetworkPolicyV1SpecEgress {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`ScriptEgressPolicy '${owner}': destination '${url}' is not a URL.`);
  }
  const port = parsed.port || (parsed.protocol === 'https:' ? '443' : '80');
  if (/^\d+\.\d+\.\d+\.\d+$/.test(parsed.hostname)) return { to: [{ ipBlock: { cidr: `${parsed.hostname}/32` } }], ports: [{ protocol: 'TCP', port }] };
  // `<service>.<namespace>` reads as a Service only over plain http (as in-cluster Pushgateways are
  // reached): `https://pushgw.io` is a public host, not namespace `io`. With `.svc` it is always one.
  const inCluster = /^([a-z0-9-]+)\.([a-z0-9-]+)(\.svc(\.cluster\.local)?)?$/.exec(parsed.hostname);
  if (inCluster && (inCluster[3] !== undefined || parsed.protocol === 'http:')) {
    return { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': inCluster[2] } } }], ports: [{ protocol: 'TCP', port }] };
  }
  return { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: PRIVATE_RANGES } }], ports: [{ protocol: 'TCP', port }] };
}
