/*
 * Admission webhooks as a policy-enforcing cluster has them (Kyverno in Enforce mode on the cluster this
 * project was made for), run as a process of its own so that a test's synchronous kubectl never blocks
 * the webhook the API server is waiting on. Usage: <port> <cert> <key> <mutations as JSON>.
 *
 *   /mutate    adds each mutation's value at its path under every pod template (Jobs, CronJobs,
 *              Deployments, StatefulSets), as Kyverno's autogen rules do (dnsConfig ndots, tolerations);
 *   /validate  refuses a pod template whose image names no registry host (require-trusted-registries).
 */
import { readFileSync } from 'fs';
import { IncomingMessage, ServerResponse } from 'http';
import { createServer } from 'https';

interface AdmissionReview {
  request: { uid: string; kind: { kind: string }; object: Record<string, unknown> };
}

/** A field a mutating webhook writes into pod templates: a JSON pointer below the template's `spec`. */
export interface PodTemplateMutation {
  readonly field: string;
  readonly value: unknown;
}

const TEMPLATE_POINTER: Record<string, string> = {
  Job: '/spec/template',
  Deployment: '/spec/template',
  StatefulSet: '/spec/template',
  CronJob: '/spec/jobTemplate/spec/template',
};

function templateOf(object: Record<string, unknown>, pointer: string): { spec?: { containers?: { image?: string }[]; initContainers?: { image?: string }[] } } | undefined {
  let node: unknown = object;
  for (const key of pointer.split('/').slice(1)) node = (node as Record<string, unknown> | undefined)?.[key];
  return node as ReturnType<typeof templateOf>;
}

const REGISTRY_HOST = /^(localhost|[a-z0-9-]+(\.[a-z0-9-]+)+|[a-z0-9.-]+:\d+)$/;

function answer(review: AdmissionReview, path: string, mutations: readonly PodTemplateMutation[]): Record<string, unknown> {
  const { uid, kind, object } = review.request;
  const pointer = TEMPLATE_POINTER[kind.kind];
  const template = pointer ? templateOf(object, pointer) : undefined;
  if (!template?.spec) return { uid, allowed: true };
  if (path === '/validate') {
    const images = [...(template.spec.containers ?? []), ...(template.spec.initContainers ?? [])].map((container) => container.image ?? '');
    const unqualified = images.find((image) => !REGISTRY_HOST.test(image.split('/')[0]) || !image.includes('/'));
    return unqualified === undefined
      ? { uid, allowed: true }
      : { uid, allowed: false, status: { code: 403, message: `require-trusted-registries: image '${unqualified}' names no registry host` } };
  }
  const patch = mutations.map((mutation) => ({ op: 'add', path: `${pointer}/spec/${mutation.field}`, value: mutation.value }));
  return { uid, allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(patch)).toString('base64') };
}

if (require.main === module) {
  const [port, cert, key, mutationsJson] = process.argv.slice(2);
  const mutations = JSON.parse(mutationsJson) as PodTemplateMutation[];
  const server = createServer({ cert: readFileSync(cert), key: readFileSync(key) }, (req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const review = JSON.parse(body) as AdmissionReview;
      const response = answer(review, req.url?.split('?')[0] ?? '', mutations);
      console.log(`${req.url} ${review.request.kind.kind} ${JSON.stringify({ allowed: response.allowed, patched: 'patch' in response })}`);
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response }));
    });
  });
  server.listen(Number(port), '127.0.0.1', () => console.log(`listening on ${port}`));
}
