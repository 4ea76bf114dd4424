/**
 * The https proxy an operator's machine or a pod may have to go through (`HTTPS_PROXY`, `NO_PROXY`,
 * as curl and Go read them): an HTTP CONNECT tunnel to the target, TLS end to end inside it, so the
 * proxy sees a host and a port, never the token.
 */
import * as http from 'http';
import { Socket } from 'net';

/** The proxy for an https `target` by the environment, or undefined for a direct connection. */
export function proxyFor(target: URL, env: Readonly<Record<string, string | undefined>>): URL | undefined {
  if (target.protocol !== 'https:') return undefined;
  const configured = env.HTTPS_PROXY || env.https_proxy;
  if (!configured) return undefined;
  const host = target.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  // As Go does: loopback is never proxied.
  if (host === 'localhost' || host === '::1' || /^127\./.test(host)) return undefined;
  const exempt = (env.NO_PROXY || env.no_proxy || '').split(',').map((entry) => entry.trim().toLowerCase().replace(/:\d+$/, '')).filter(Boolean);
  if (exempt.some((entry) => entry === '*' || host === entry.replace(/^\./, '') || host.endsWith(entry.startsWith('.') ? entry : `.${entry}`))) return undefined;
  let proxy: URL;
  try {
    proxy = new URL(/^[a-z]+:\/\//i.test(configured) ? configured : `http://${configured}`);
  } catch {
    throw Object.assign(new Error('HTTPS_PROXY is not a URL'), { code: 'EPROXYCONFIG' });
  }
  if (proxy.protocol !== 'http:') throw Object.assign(new Error(`HTTPS_PROXY is a ${proxy.protocol} URL; an http:// proxy is supported`), { code: 'EPROXYCONFIG' });
  return proxy;
}

/**
 * A socket to `target` through `proxy` (HTTP CONNECT), ready for TLS. Rejects with a `code` of
 * `EPROXY<status>` when the proxy refuses, or the socket error when it cannot be reached.
 */
export function openTunnel(proxy: URL, target: URL, timeoutMs: number): Promise<Socket> {
  const authority = `${target.hostname}:${target.port || '443'}`;
  const credentials = proxy.username ? { 'proxy-authorization': `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}` } : {};
  return new Promise((resolve, reject) => {
    const request = http.request({ host: proxy.hostname, port: proxy.port || 80, method: 'CONNECT', path: authority, headers: { host: authority, ...credentials } });
    const deadline = setTimeout(() => request.destroy(Object.assign(new Error(`the proxy did not open a tunnel within ${timeoutMs} ms`), { code: 'EPROXYTIMEOUT' })), timeoutMs);
    request.on('connect', (response, socket) => {
      clearTimeout(deadline);
      if (response.statusCode === 200) return resolve(socket);
      socket.destroy();
      reject(Object.assign(new Error(`the proxy refused the tunnel (${response.statusCode})`), { code: `EPROXY${response.statusCode}` }));
    });
    request.on('error', (error) => {
      clearTimeout(deadline);
      reject(error);
    });
    request.end();
  });
}
