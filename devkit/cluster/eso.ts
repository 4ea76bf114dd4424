import { goProgram } from '../go-tools';
import { freePort } from '../real-binaries';
import { ControlPlane } from './control-plane';
import { OpenBao } from './openbao';
import { ClusterProcess, startProcess, waitFor } from './processes';

/**
 * External Secrets Operator's controller, run out of cluster against the local API server (it reads
 * `KUBECONFIG`; no webhook, no cert controller, no leader election): the real reconciler and its real
 * Vault provider, talking to OpenBao.
 */
export async function startEso(cluster: ControlPlane): Promise<ClusterProcess> {
  const metricsPort = await freePort();
  const eso = startProcess('external-secrets', goProgram('external-secrets', 'external-secrets'), [`--metrics-addr=127.0.0.1:${metricsPort}`, '--enable-leader-election=false', '--loglevel=info'], cluster.dir, {
    ...process.env,
    KUBECONFIG: cluster.kubeconfig,
  });
  cluster.processes.push(eso);
  await waitFor('ESO controller started', () => (/Starting workers|starting manager/i.test(eso.log(200_000)) ? true : undefined), 60_000, () => eso.log());
  return eso;
}

/**
 * The team's store (`vault-kv` by default): OpenBao's KV v2 at `secret/`, logged in to through this
 * project's own Kubernetes-auth role as ESO's ServiceAccount, audience `vault`. Waits until ESO calls it Valid.
 */
export async function applyVaultStore(cluster: ControlPlane, bao: OpenBao, options: { name?: string; role: string; authMount?: string }): Promise<void> {
  const name = options.name ?? 'vault-kv';
  cluster.kubectl(['apply', '-f', '-'], {
    input: JSON.stringify({
      apiVersion: 'external-secrets.io/v1',
      kind: 'ClusterSecretStore',
      metadata: { name },
      spec: {
        provider: {
          vault: {
            server: bao.address,
            path: 'secret',
            version: 'v2',
            auth: {
              kubernetes: {
                mountPath: options.authMount ?? 'kubernetes',
                role: options.role,
                serviceAccountRef: { name: 'external-secrets', namespace: 'external-secrets', audiences: ['vault'] },
              },
            },
          },
        },
      },
    }),
  });
  await waitFor(
    `ClusterSecretStore ${name} Valid`,
    () => (cluster.kubectl(['get', 'clustersecretstore', name, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'], { allowFailure: true }).stdout === 'True' ? true : undefined),
    60_000,
    () => cluster.kubectl(['get', 'clustersecretstore', name, '-o', 'yaml'], { allowFailure: true }).stdout,
  );
}
