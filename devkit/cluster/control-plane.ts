import { spawnSync, SpawnSyncReturns } from 'child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'fs';
import { request } from 'https';
import { tmpdir } from 'os';
import * as path from 'path';
import { goProgram } from '../go-tools';
import { freePort } from '../real-binaries';
import { ClusterPki, makePki, writeKubeconfig } from './pki';
import { ClusterProcess, startProcess, waitFor } from './processes';

/** A real Kubernetes control plane on loopback: etcd, kube-apiserver, and optionally its controllers. */
export interface ControlPlane {
  readonly server: string;
  readonly kubeconfig: string;
  readonly pki: ClusterPki;
  /** Where every process logs and every file lives; kept when a run fails. */
  readonly dir: string;
  readonly processes: ClusterProcess[];
  /** The built `kubectl` against this cluster as the admin; throws with its stderr on failure unless `allowFailure`. */
  kubectl(args: readonly string[], options?: { input?: string; allowFailure?: boolean }): SpawnSyncReturns<string>;
  /** GET `apiPath` as the admin: status and body. */
  get(apiPath: string): Promise<{ status: number; body: string }>;
  /** The last lines of every process's log, for a failure message. */
  logs(): string;
}

export interface ControlPlaneOptions {
  /** Also run kube-controller-manager (namespaces' deletion, ServiceAccounts, ReplicaSets, Jobs). @default true */
  readonly controllerManager?: boolean;
  /** Also run kube-scheduler (pods bound to KWOK's node). @default false */
  readonly scheduler?: boolean;
}

const SERVICE_RANGE = '10.0.0.0/24';
export const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

/** Starts etcd and kube-apiserver (and the controllers asked for) on free loopback ports. */
export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const dir = mkdtempSync(path.join(tmpdir(), 'claude-oauth-tokens-cluster-'));
  const pki = makePki(dir);
  const processes: ClusterProcess[] = [];
  const [etcdClient, etcdPeer, apiPort, kcmPort, schedulerPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  const describe = () => processes.map((proc) => `--- ${proc.name} (${proc.logFile})\n${proc.log(2000)}`).join('\n');

  processes.push(
    startProcess('etcd', goProgram('etcd', 'etcd'), [
      `--data-dir=${path.join(dir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=default=http://127.0.0.1:${etcdPeer}`,
      '--log-level=warn',
    ], dir),
  );
  const certDir = path.join(dir, 'certs');
  mkdirSync(certDir);
  processes.push(
    startProcess('kube-apiserver', goProgram('kubernetes', 'kube-apiserver'), [
      `--etcd-servers=http://127.0.0.1:${etcdClient}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--tls-cert-file=${pki.serverCert}`,
      `--tls-private-key-file=${pki.serverKey}`,
      `--client-ca-file=${pki.caCert}`,
      `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
      `--service-account-key-file=${pki.serviceAccountPub}`,
      `--service-account-signing-key-file=${pki.serviceAccountKey}`,
      `--api-audiences=${SERVICE_ACCOUNT_ISSUER}`,
      `--service-cluster-ip-range=${SERVICE_RANGE}`,
      '--authorization-mode=Node,RBAC',
      `--cert-dir=${certDir}`,
    ], dir),
  );
  const server = `https://127.0.0.1:${apiPort}`;
  const kubeconfig = path.join(dir, 'kubeconfig');
  writeKubeconfig(kubeconfig, server, pki);

  // Read once: the host kubelet polls through this every 300 ms.
  const admin = { ca: readFileSync(pki.caCert), cert: readFileSync(pki.adminCert), key: readFileSync(pki.adminKey) };
  const get = (apiPath: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        `${server}${apiPath}`,
        { ...admin, timeout: 5000 },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', reject);
      req.end();
    });
  const kubectl = (args: readonly string[], opts: { input?: string; allowFailure?: boolean } = {}) => {
    const run = spawnSync(goProgram('kubernetes', 'kubectl'), ['--kubeconfig', kubeconfig, ...args], { encoding: 'utf8', input: opts.input, timeout: 120_000 });
    if (!opts.allowFailure && run.status !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
    return run;
  };

  await waitFor('kube-apiserver ready', async () => ((await get('/readyz')).status === 200 ? true : undefined), 90_000, describe);
  const shared = [`--kubeconfig=${kubeconfig}`, `--authentication-kubeconfig=${kubeconfig}`, `--authorization-kubeconfig=${kubeconfig}`, '--leader-elect=false', '--bind-address=127.0.0.1'];
  if (options.controllerManager !== false) {
    processes.push(
      startProcess('kube-controller-manager', goProgram('kubernetes', 'kube-controller-manager'), [
        ...shared,
        `--secure-port=${kcmPort}`,
        `--service-account-private-key-file=${pki.serviceAccountKey}`,
        `--root-ca-file=${pki.caCert}`,
        '--use-service-account-credentials=true',
        `--service-cluster-ip-range=${SERVICE_RANGE}`,
        `--cert-dir=${certDir}`,
      ], dir),
    );
    // The default ServiceAccount appears once the controllers run: a sign that they do.
    await waitFor('kube-controller-manager running (default ServiceAccount)', async () => ((await get('/api/v1/namespaces/default/serviceaccounts/default')).status === 200 ? true : undefined), 90_000, describe);
  }
  if (options.scheduler) {
    processes.push(startProcess('kube-scheduler', goProgram('kubernetes', 'kube-scheduler'), [...shared, `--secure-port=${schedulerPort}`, `--cert-dir=${certDir}`], dir));
  }
  return { server, kubeconfig, pki, dir, processes, kubectl, get, logs: describe };
}
