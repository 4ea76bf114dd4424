import * as http from 'http';
import * as https from 'https';
import { connect as connectTls } from 'tls';
import { openTunnel } from './proxy-tunnel';

/** The whole exchange did not finish within its deadline. */
export class RequestTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
    this.name = 'RequestTimeoutError';
  }
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body, up to 64 KiB (enough for any answer these scripts read; more is dropped). */
  readonly text: string;
}

export interface HttpRequestOptions {
  readonly method: 'GET' | 'PUT' | 'POST' | 'PATCH';
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly timeoutMs: number;
  readonly ca?: string;
  readonly clientCertificate?: { readonly cert: string; readonly key: string };
  /** An http proxy to tunnel an https request through (see proxy-tunnel.ts, proxyFor). */
  readonly proxy?: URL;
}

/**
 * One HTTP(S) request with a deadline on the whole exchange; TLS certificates are verified (Node's
 * default), end to end even through a proxy. Plain node:http rather than fetch: loading fetch
 * (undici) doubles a run's memory. Rejects with the socket error (its `code`, e.g. ECONNREFUSED) or
 * a {@link RequestTimeoutError}.
 */
export async function httpRequest(url: URL, options: HttpRequestOptions): Promise<HttpAnswer> {
  const started = Date.now();
  const tunnel = options.proxy && url.protocol === 'https:' ? await openTunnel(options.proxy, url, options.timeoutMs) : undefined;
  const timeoutMs = Math.max(1, options.timeoutMs - (Date.now() - started));
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const headers = { ...options.headers, ...(options.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(options.body)) }) };
    const tls = { ...(options.ca ? { ca: options.ca } : {}), ...(options.clientCertificate ?? {}) };
    const through = tunnel ? { createConnection: () => connectTls({ socket: tunnel, servername: url.hostname, ...tls }) } : {};
    const request = client.request(url, { method: options.method, headers, ...tls, ...through }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        if (text.length < 65_536) text += chunk;
      });
      response.on('end', () => {
        clearTimeout(deadline);
        resolve({ status: response.statusCode ?? 0, headers: response.headers, text });
      });
      response.on('error', fail);
    });
    const deadline = setTimeout(() => request.destroy(new RequestTimeoutError(options.timeoutMs)), timeoutMs);
    function fail(error: Error): void {
      clearTimeout(deadline);
      reject(error);
    }
    request.on('error', fail);
    request.end(options.body);
  });
}

/** Why a request failed, fit for a log line: the socket error code, or the deadline's message. */
export function describeRequestError(error: unknown): string {
  if (error instanceof RequestTimeoutError) return error.message;
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}

/**
 * Whether `host` is a Kubernetes Service's cluster-local DNS name (`vault-active.vault.svc`,
 * `….svc.cluster.local`): traffic to it stays on the cluster's own network.
 */
export function isClusterLocalServiceName(host: string): boolean {
  return /^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.){2}svc(\.cluster\.local)?$/.test(host);
}

/**
 * Whether `url` is plain http to anything but loopback or a cluster-local Service name: where a
 * credential would leave the cluster in clear. In-cluster plain http (Vault with `tls_disable`)
 * still crosses the pod network unencrypted; the README says so where it is allowed.
 */
export function plainHttpOffCluster(url: string): boolean {
  return plainHttpOffLoopback(url) && !isClusterLocalServiceName(new URL(url).hostname);
}

/** Whether `url` is plain http to anything but loopback: where a credential would travel in clear. */
export function plainHttpOffLoopback(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === 'http:' && !['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
}
