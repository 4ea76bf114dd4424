import { spawnSync } from 'child_process';
import { readFileSync } from 'fs';
import { createServer, Server } from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { PUSHGATEWAY_CHART, verifiedSource } from '../third-party';

/** A Helm chart repository on loopback: what an air-gapped cluster's chart mirror is. */
export interface ChartRepository {
  readonly url: string;
  /** Paths requested so far (the index, the chart archive). */
  readonly requests: string[];
  close(): Promise<void>;
}

/**
 * Serves the Pushgateway chart that `pushgateway.deploy` pins (its release archive, sha256 verified)
 * with an `index.yaml` made from the archive's own Chart.yaml, as `helm repo index` would write it.
 */
export async function startChartRepository(): Promise<ChartRepository> {
  const archive = verifiedSource(PUSHGATEWAY_CHART.file, PUSHGATEWAY_CHART.sha256, PUSHGATEWAY_CHART.origin);
  const chartYaml = spawnSync('tar', ['-xzOf', archive, 'prometheus-pushgateway/Chart.yaml'], { encoding: 'utf8' });
  if (chartYaml.status !== 0) throw new Error(`reading Chart.yaml from ${archive}: ${chartYaml.stderr}`);
  const chart = parse(chartYaml.stdout) as { name: string; version: string };
  const bytes = readFileSync(archive);
  const requests: string[] = [];
  let index = '';
  const server: Server = createServer((request, response) => {
    requests.push(request.url ?? '');
    if (request.url === '/index.yaml') response.writeHead(200, { 'content-type': 'text/yaml' }).end(index);
    else if (request.url === `/${path.basename(archive)}`) response.writeHead(200, { 'content-type': 'application/gzip' }).end(bytes);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const created = new Date().toISOString();
  index = stringify({
    apiVersion: 'v1',
    entries: { [chart.name]: [{ ...chart, created, digest: PUSHGATEWAY_CHART.sha256, urls: [`${url}/${path.basename(archive)}`] }] },
    generated: created,
  });
  return { url, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
