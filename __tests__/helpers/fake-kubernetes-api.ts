import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { freePort } from '../../devkit/real-binaries';

export interface FakeKubernetesOptions {
  readonly namespace?: string;
  readonly externalSecret?: string;
  readonly deployment?: string;
  /** What ESO does after the ExternalSecret's annotations change. */
  readonly sync?: 'ok' | 'error' | 'never';
  /** What the Deployment does after its pod template changes. */
  readonly rollout?: 'ok' | 'stuck';
  /** Request paths answered 403, as the API server answers a Role that does not allow them. */
  readonly forbidden?: readonly string[];
  /** Never answer at all. */
  readonly silent?: boolean;
  /** More consumers of the token, each its ExternalSecret and workload (StatefulSets too), served beside the agents'. */
  readonly others?: readonly { readonly externalSecret: { namespace: string; name: string }; readonly workload: { kind: 'Deployment' | 'StatefulSet'; namespace: string; name: string } }[];
  /** Paths of workloads whose rollout never finishes (beside `rollout: 'stuck'` for the agents'). */
  readonly stuck?: readonly string[];
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly contentType?: string;
  readonly authorization?: string;
  readonly body: string;
}

/**
 * A loopback stand-in of the Kubernetes API for the restart Job: one ExternalSecret and one Deployment,
 * answering GET and PATCH as the API documents (JSON objects, `Status` bodies for 403/404), with ESO's
 * and the Deployment controller's reactions played after a short delay.
 */
export async function startFakeKubernetes(options: FakeKubernetesOptions = {}) {
  const namespace = options.namespace ?? 'claude-agent';
  const esName = options.externalSecret ?? 'claude-oauth-token';
  const deployName = options.deployment ?? 'claude-agent-service';
  const esPath = `/apis/external-secrets.io/v1/namespaces/${namespace}/externalsecrets/${esName}`;
  const deployPath = `/apis/apps/v1/namespaces/${namespace}/deployments/${deployName}`;
  const requests: RecordedRequest[] = [];
  const externalSecret: any = {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name: esName, namespace, annotations: {} },
    status: { refreshTime: '2026-01-01T00:00:00Z', conditions: [{ type: 'Ready', status: 'True', reason: 'SecretSynced' }] },
  };
  const deployment: any = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: deployName, namespace, generation: 1 },
    spec: { replicas: 1, template: { metadata: { annotations: {} } } },
    status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1 },
  };
  // The other consumers' objects, by API path; each behaves as the agents' do.
  const extraExternalSecrets = new Map<string, any>();
  const extraWorkloads = new Map<string, any>();
  for (const other of options.others ?? []) {
    const { externalSecret: es, workload } = other;
    extraExternalSecrets.set(`/apis/external-secrets.io/v1/namespaces/${es.namespace}/externalsecrets/${es.name}`, {
      metadata: { name: es.name, namespace: es.namespace, annotations: {} },
      status: { refreshTime: '2026-01-01T00:00:00Z', conditions: [{ type: 'Ready', status: 'True', reason: 'SecretSynced' }] },
    });
    const plural = workload.kind === 'Deployment' ? 'deployments' : 'statefulsets';
    extraWorkloads.set(`/apis/apps/v1/namespaces/${workload.namespace}/${plural}/${workload.name}`, {
      kind: workload.kind,
      metadata: { name: workload.name, namespace: workload.namespace, generation: 1 },
      spec: { replicas: 1, template: { metadata: { annotations: {} } } },
      status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1, readyReplicas: 1, currentRevision: 'r1', updateRevision: 'r1' },
    });
  }
  const status = (code: number, reason: string, message: string) => JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, code });
  const later = (fn: () => void) => setTimeout(fn, 150).unref();

  const server: Server = createServer((request: IncomingMessage, response) => void answer(request, response));
  async function answer(request: IncomingMessage, response: ServerResponse): Promise<unknown> {
    let body = '';
    for await (const chunk of request) body += chunk;
    const path = request.url ?? '';
    requests.push({ method: request.method ?? '', path, contentType: request.headers['content-type'], authorization: request.headers.authorization, body });
    if (options.silent) return;
    const send = (code: number, text: string) => response.writeHead(code, { 'content-type': 'application/json' }).end(text);
    if (options.forbidden?.includes(path)) {
      return send(403, status(403, 'Forbidden', `${path} is forbidden: User "system:serviceaccount:${namespace}:restart" cannot ${request.method?.toLowerCase()} this resource`));
    }
    const es = path === esPath ? externalSecret : extraExternalSecrets.get(path);
    if (es && request.method === 'GET') return send(200, JSON.stringify(es));
    if (es && es !== externalSecret && request.method === 'PATCH') {
      Object.assign(es.metadata.annotations, JSON.parse(body).metadata?.annotations ?? {});
      later(() => {
        es.status = { refreshTime: new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z'), conditions: [{ type: 'Ready', status: 'True', reason: 'SecretSynced' }] };
      });
      return send(200, JSON.stringify(es));
    }
    const workload = extraWorkloads.get(path);
    if (workload && request.method === 'GET') return send(200, JSON.stringify(workload));
    if (workload && request.method === 'PATCH') {
      Object.assign(workload.spec.template.metadata.annotations, JSON.parse(body).spec?.template?.metadata?.annotations ?? {});
      workload.metadata.generation += 1;
      const revision = `r${workload.metadata.generation}`;
      workload.status = { ...workload.status, observedGeneration: workload.metadata.generation, updatedReplicas: 0, updateRevision: revision };
      if (!options.stuck?.includes(path)) {
        later(() => (workload.status = { observedGeneration: workload.metadata.generation, replicas: 1, updatedReplicas: 1, availableReplicas: 1, readyReplicas: 1, currentRevision: revision, updateRevision: revision }));
      }
      return send(200, JSON.stringify(workload));
    }
    if (path === esPath && request.method === 'PATCH') {
      Object.assign(externalSecret.metadata.annotations, JSON.parse(body).metadata?.annotations ?? {});
      if (options.sync !== 'never') {
        later(() => {
          externalSecret.status = {
            refreshTime: new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z'),
            conditions: [
              options.sync === 'error'
                ? { type: 'Ready', status: 'False', reason: 'SecretSyncedError', message: 'could not get secret data from provider' }
                : { type: 'Ready', status: 'True', reason: 'SecretSynced', message: 'secret synced' },
            ],
          };
        });
      }
      return send(200, JSON.stringify(externalSecret));
    }
    if (path === deployPath && request.method === 'GET') return send(200, JSON.stringify(deployment));
    if (path === deployPath && request.method === 'PATCH') {
      Object.assign(deployment.spec.template.metadata.annotations, JSON.parse(body).spec?.template?.metadata?.annotations ?? {});
      deployment.metadata.generation += 1;
      deployment.status = { observedGeneration: deployment.metadata.generation, replicas: 2, updatedReplicas: 1, availableReplicas: 1 };
      if (options.rollout !== 'stuck') later(() => (deployment.status = { observedGeneration: deployment.metadata.generation, replicas: 1, updatedReplicas: 1, availableReplicas: 1 }));
      return send(200, JSON.stringify(deployment));
    }
    return send(404, status(404, 'NotFound', `the server could not find the requested resource ${path}`));
  }
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    externalSecret,
    deployment,
    extraExternalSecrets,
    extraWorkloads,
    esPath,
    deployPath,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
