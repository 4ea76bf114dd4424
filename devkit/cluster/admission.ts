import { readFileSync } from 'fs';
import * as path from 'path';
import { freePort } from '../real-binaries';
import type { PodTemplateMutation } from './admission-webhook-server';
import { ControlPlane } from './control-plane';
import { ClusterProcess, startProcess, waitFor } from './processes';

export type { PodTemplateMutation };

/** Kyverno's ndots mutation on the cluster this project was made for (`KYVERNO_LIFECYCLE_V1`). */
export const NDOTS_MUTATION: PodTemplateMutation = { field: 'dnsConfig', value: { options: [{ name: 'ndots', value: '2' }] } };

const RULES = [
  { apiGroups: ['batch'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['jobs', 'cronjobs'] },
  { apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments', 'statefulsets'] },
];

/**
 * Starts the webhook server (devkit/cluster/admission-webhook-server.ts) on loopback with the API
 * server's own serving certificate (it is for 127.0.0.1, signed by the cluster CA) and registers a
 * mutating webhook writing `mutations` into every pod template and a validating webhook refusing
 * images without a registry host, both failing closed, as Kyverno in Enforce mode does.
 */
export async function installAdmissionWebhooks(cluster: ControlPlane, mutations: readonly PodTemplateMutation[]): Promise<ClusterProcess> {
  const port = await freePort();
  const server = startProcess(
    'admission-webhooks',
    process.execPath,
    ['-r', path.resolve(__dirname, '../../tools/register-ts.js'), path.join(__dirname, 'admission-webhook-server.ts'), String(port), cluster.pki.serverCert, cluster.pki.serverKey, JSON.stringify(mutations)],
    cluster.dir,
  );
  cluster.processes.push(server);
  await waitFor('admission webhook server listening', () => (server.log().includes(`listening on ${port}`) ? true : undefined), 30_000, () => server.log());
  const clientConfig = (endpoint: string) => ({ url: `https://127.0.0.1:${port}${endpoint}`, caBundle: readFileSync(cluster.pki.caCert).toString('base64') });
  const webhook = (name: string, endpoint: string) => ({
    name,
    clientConfig: clientConfig(endpoint),
    rules: RULES,
    failurePolicy: 'Fail',
    sideEffects: 'None',
    admissionReviewVersions: ['v1'],
    timeoutSeconds: 5,
    // The suite's own namespaces only: the control plane's are left alone, as Kyverno leaves kube-system.
    namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'kube-public', 'kube-node-lease'] }] },
  });
  cluster.kubectl(['apply', '-f', '-'], {
    input: JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name: 'test-pod-template-mutations' }, webhooks: [webhook('mutate.pod-templates.test', '/mutate')] },
        { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'test-trusted-registries' }, webhooks: [webhook('validate.trusted-registries.test', '/validate')] },
      ],
    }),
  });
  return server;
}
