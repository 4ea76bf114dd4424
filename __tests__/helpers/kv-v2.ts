import { createServer, RequestListener } from 'http';
import { createServer as createHttpsServer } from 'https';
import { freePort } from '../../devkit/real-binaries';
import { RecordedRequest } from './fake-vault';

/** One KV v2 secret as the stand-in keeps it: every version's data, and the metadata. */
interface StoredSecret {
  versions: Record<string, unknown>[];
  customMetadata: Record<string, string>;
}

/**
 * A loopback stand-in for Vault's KV v2 HTTP API at mount `secret/`, as Vault's API documentation
 * describes it (no Vault or OpenBao can be built here: the module proxy refuses them):
 * - `GET /v1/secret/data/:name`: 200 `{data: {data, metadata: {version, custom_metadata, …}}}`, or
 *   404 `{errors: []}` for a path never written;
 * - `POST /v1/secret/data/:name` `{options: {cas}, data}`: writes a new version, answering
 *   `{data: {version, …}}`; with `cas` not the current version (0 for a new path), 400
 *   `{errors: ["check-and-set parameter did not match the current version"]}`;
 * - `POST /v1/secret/metadata/:name` `{custom_metadata}`: replaces the custom metadata, 204;
 * - any request without the right `X-Vault-Token`: 403 `{errors: ["permission denied"]}`.
 */
export async function startKvV2(
  token: string,
  initial: Record<string, Record<string, unknown>> = {},
  /** Serve https with this pair, and ask every client for a certificate signed by `clientCa`. */
  tls?: { readonly cert: string; readonly key: string; readonly clientCa: string },
) {
  const secrets = new Map<string, StoredSecret>(Object.entries(initial).map(([name, data]) => [name, { versions: [data], customMetadata: {} }]));
  const requests: RecordedRequest[] = [];
  let beforeWrite: ((name: string) => void) | undefined;
  let refuseMetadata = false;
  let readOnly = false;
  let readAnswer: { status: number; text: string } | undefined;
  let lateAnswers: { kind: 'data' | 'metadata'; ms: number } | undefined;
  const handler: RequestListener = (request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
      const send = (status: number, json?: unknown) =>
        response.writeHead(status, { 'content-type': 'application/json' }).end(json === undefined ? '' : JSON.stringify(json));
      // A write is applied at once; its answer may be held back, as a slow network or an overloaded Vault does.
      const answer = (status: number, json?: unknown) =>
        lateAnswers && request.method === 'POST' && request.url?.includes(`/${lateAnswers.kind}/`) ? setTimeout(() => send(status, json), lateAnswers.ms) : send(status, json);
      if (request.headers['x-vault-token'] !== token) return answer(403, { errors: ['permission denied'] });
      if (request.url === '/v1/sys/capabilities-self' && request.method === 'POST') {
        const paths = (JSON.parse(body || '{}') as { paths?: string[] }).paths ?? [];
        const granted = readOnly ? ['read'] : ['create', 'read', 'update'];
        return answer(200, { capabilities: granted, ...Object.fromEntries(paths.map((item) => [item, granted])) });
      }
      const [, kind, name] = /^\/v1\/secret\/(data|metadata)\/([^/?]+)$/.exec(request.url ?? '') ?? [];
      if (!kind) return answer(404, { errors: [] });
      const secret = secrets.get(name);
      const metadata = (stored: StoredSecret) => ({
        created_time: '2026-12-01T10:00:00.000000001Z',
        custom_metadata: Object.keys(stored.customMetadata).length > 0 ? stored.customMetadata : null,
        deletion_time: '',
        destroyed: false,
        version: stored.versions.length,
      });
      if (kind === 'data' && request.method === 'GET') {
        if (readAnswer) return response.writeHead(readAnswer.status, { 'content-type': 'text/html' }).end(readAnswer.text);
        if (!secret) return answer(404, { errors: [] });
        return answer(200, { data: { data: secret.versions[secret.versions.length - 1], metadata: metadata(secret) } });
      }
      if (kind === 'data' && request.method === 'POST') {
        const { options, data } = JSON.parse(body || '{}') as { options?: { cas?: number }; data: Record<string, unknown> };
        beforeWrite?.(name);
        const current = secrets.get(name);
        if (options?.cas !== undefined && options.cas !== (current?.versions.length ?? 0)) {
          return answer(400, { errors: ['check-and-set parameter did not match the current version'] });
        }
        const stored = current ?? { versions: [], customMetadata: {} };
        stored.versions.push(data);
        secrets.set(name, stored);
        return answer(200, { data: metadata(stored) });
      }
      if (kind === 'metadata' && request.method === 'POST') {
        if (refuseMetadata) return answer(403, { errors: ['permission denied'] });
        const stored = secrets.get(name) ?? { versions: [], customMetadata: {} };
        stored.customMetadata = (JSON.parse(body || '{}') as { custom_metadata?: Record<string, string> }).custom_metadata ?? {};
        secrets.set(name, stored);
        return answer(204);
      }
      return answer(405, { errors: ['unsupported operation'] });
    });
  };
  const server = tls ? createHttpsServer({ cert: tls.cert, key: tls.key, ca: tls.clientCa, requestCert: true, rejectUnauthorized: true }, handler) : createServer(handler);
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests,
    secret: (name: string) => secrets.get(name),
    /** Runs just before a data write is applied: where a concurrent writer strikes. */
    onBeforeWrite: (hook: (name: string) => void) => {
      beforeWrite = hook;
    },
    /** A write by someone else, as a second client would make it. */
    writeDirectly: (name: string, data: Record<string, unknown>) => {
      const stored = secrets.get(name) ?? { versions: [], customMetadata: {} };
      stored.versions.push(data);
      secrets.set(name, stored);
    },
    refuseMetadataWrites: () => {
      refuseMetadata = true;
    },
    /** The operator's token may read, not write (as `sys/capabilities-self` reports it). */
    grantReadOnly: () => {
      readOnly = true;
    },
    /** Every read answers this instead (e.g. a proxy's HTML page with 200). */
    answerReadsWith: (status: number, text: string) => {
      readAnswer = { status, text };
    },
    /** Writes of this kind are applied, and answered `ms` later. */
    answerWritesLate: (kind: 'data' | 'metadata', ms: number) => {
      lateAnswers = { kind, ms };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
