import { randomBytes } from 'crypto';
import { createServer, IncomingHttpHeaders } from 'http';
import { freePort } from '../../devkit/real-binaries';

/** How the stand-in behaves: as Vault documents it, healthy or in one of its failure modes. */
export type VaultMode = 'healthy' | 'sealed' | 'hang';

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/**
 * A loopback stand-in for Vault's HTTP API, as documented: `POST /v1/auth/<mount>/login`
 * (Kubernetes auth) and `GET /v1/<mount>/metadata/<name>` (KV v2), with Vault's error shape
 * `{"errors": [...]}`. No Vault can be installed here (the registries are npm and Debian only).
 */
export async function startFakeVault(options: {
  role: string;
  jwt: string;
  /**
   * Secret name -> updated_time (RFC 3339), or that and the custom_metadata of its current version
   * (version 2); names absent answer 404.
   */
  secrets: Record<string, string | { updated: string; customMetadata: Record<string, string> }>;
  /** Names the issued token may not read (a policy without them): 403. */
  forbidden?: string[];
}): Promise<{ url: string; requests: RecordedRequest[]; issuedToken: string; setMode: (mode: VaultMode) => void; close: () => Promise<void> }> {
  const requests: RecordedRequest[] = [];
  const issuedToken = `hvs.${randomBytes(18).toString('base64url')}`;
  let mode: VaultMode = 'healthy';
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
      const answer = (status: number, json: unknown) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
      if (mode === 'hang') return;
      if (mode === 'sealed') return answer(503, { errors: ['Vault is sealed'] });
      const login = /^\/v1\/auth\/kubernetes\/login$/.exec(request.url ?? '');
      if (login && request.method === 'POST') {
        const { role, jwt } = JSON.parse(body || '{}');
        if (role !== options.role) return answer(400, { errors: [`invalid role name "${role}"`] });
        if (jwt !== options.jwt) return answer(403, { errors: ['permission denied'] });
        return answer(200, { auth: { client_token: issuedToken, policies: ['claude-oauth-expiry-monitor-metadata'], lease_duration: 3600, renewable: true } });
      }
      const metadata = /^\/v1\/secret\/metadata\/([^/]+)$/.exec(request.url ?? '');
      if (metadata && request.method === 'GET') {
        const name = metadata[1];
        if (request.headers['x-vault-token'] !== issuedToken || options.forbidden?.includes(name)) return answer(403, { errors: ['permission denied'] });
        const secret = options.secrets[name];
        if (!secret) return answer(404, { errors: [] });
        const [updated, customMetadata] = typeof secret === 'string' ? [secret, null] : [secret.updated, secret.customMetadata];
        return answer(200, {
          data: { created_time: '2025-06-01T10:00:00.000000001Z', current_version: 2, custom_metadata: customMetadata, max_versions: 0, oldest_version: 0, updated_time: updated, versions: {} },
        });
      }
      return answer(404, { errors: [] });
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    issuedToken,
    setMode: (next) => {
      mode = next;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
