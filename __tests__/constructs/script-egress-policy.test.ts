import { egressTo } from '../../constructs/script-egress-policy';

const PUBLIC = { ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', '100.64.0.0/10'] } };
const namespace = (name: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } });

/** NetworkPolicy knows namespaces and addresses, not hostnames: each destination URL becomes the rule it means. */
describe('egressTo', () => {
  test.each([
    ['an in-cluster Service over http', 'http://pushgateway.monitoring:9091', namespace('monitoring'), '9091'],
    ['a .svc name over https', 'https://vault-active.vault.svc:8200', namespace('vault'), '8200'],
    ['a .svc.cluster.local name', 'http://vault-active.vault.svc.cluster.local:8200', namespace('vault'), '8200'],
    ['a public two-label host over https, not namespace io', 'https://pushgw.io', PUBLIC, '443'],
    ['a public host', 'https://api.anthropic.com/v1/messages', PUBLIC, '443'],
    ['an address', 'http://10.0.0.7:9091', { ipBlock: { cidr: '10.0.0.7/32' } }, '9091'],
  ])('%s', (_, url, to, port) => {
    expect(egressTo(url, 'test')).toEqual({ to: [to], ports: [{ protocol: 'TCP', port }] });
  });
});
