import { createServer, Server } from 'http';
import { connect, Socket } from 'net';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { AppCopy } from '../../devkit/app-copy';
import { makePki } from '../../devkit/cluster/pki';
import { freePort } from '../../devkit/real-binaries';
import { makeToken, startFakeApi } from '../helpers/fake-anthropic-api';

/** A loopback HTTP CONNECT proxy that tunnels every authority to one local port, recording what it was asked. */
async function startConnectProxy(to: number): Promise<{ url: string; asked: string[]; authorizations: (string | undefined)[]; close: () => Promise<void> }> {
  const asked: string[] = [];
  const authorizations: (string | undefined)[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((_, response) => response.writeHead(405).end());
  server.on('connect', (request, client: Socket) => {
    asked.push(request.url ?? '');
    authorizations.push(request.headers['proxy-authorization']);
    const upstream = connect(to, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.pipe(client).pipe(upstream);
    });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
    }
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    asked,
    authorizations,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Behind a corporate proxy the probe goes through HTTPS_PROXY (TLS end to end), or says why it could not. */
describe('tokens probe through HTTPS_PROXY', () => {
  let app: AppCopy;
  let dir: string;
  let api: Awaited<ReturnType<typeof startFakeApi>>;
  let proxy: Awaited<ReturnType<typeof startConnectProxy>>;
  let caFile: string;
  const token = makeToken();
  beforeAll(async () => {
    app = new AppCopy();
    dir = mkdtempSync(path.join(tmpdir(), 'probe-proxy-'));
    const pki = makePki(dir);
    caFile = pki.caCert;
    api = await startFakeApi(new Map([[token, 'valid-login']]), { cert: readFileSync(pki.serverCert, 'utf8'), key: readFileSync(pki.serverKey, 'utf8') });
    proxy = await startConnectProxy(api.port);
  });
  afterAll(async () => {
    await proxy.close();
    await api.close();
    rmSync(dir, { recursive: true, force: true });
    app.remove();
  });

  // A name only the proxy resolves (the serving certificate names it): without the proxy it cannot be reached at all.
  const endpoint = () => `https://kubernetes.default.svc:${api.port}/api/oauth/profile`;
  // Not a synchronous spawn: the proxy and the API run in this process.
  const probe = (env: Record<string, string>) => app.runAsync('tokens', ['probe', '--stdin', '--endpoint', endpoint()], token, { NODE_EXTRA_CA_CERTS: caFile, ...env });

  test('through the proxy: valid, the proxy asked for the host and port only, its credentials sent to it alone', async () => {
    const run = await probe({ HTTPS_PROXY: proxy.url.replace('http://', 'http://alice:s3cret@') });
    expect(run.stdout).toContain('valid');
    expect(run.status).toBe(0);
    expect(proxy.asked).toEqual([`kubernetes.default.svc:${api.port}`]);
    expect(proxy.authorizations).toEqual([`Basic ${Buffer.from('alice:s3cret').toString('base64')}`]);
    expect(api.requests.at(-1)!['proxy-authorization']).toBeUndefined();
    expect(`${run.stdout}${run.stderr}`).not.toContain('s3cret');
  });

  test('NO_PROXY exempts the host: no tunnel, so the name does not resolve and the outcome is unknown', async () => {
    const before = proxy.asked.length;
    const run = await probe({ HTTPS_PROXY: proxy.url, NO_PROXY: '.svc' });
    expect(run.status).toBe(3);
    expect(proxy.asked.length).toBe(before);
  });
});
