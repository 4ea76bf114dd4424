import { spawnSync, SpawnSyncReturns } from 'child_process';
import { writeFileSync } from 'fs';
import * as path from 'path';
import { ControlPlane } from '../../devkit/cluster/control-plane';
import { goProgram } from '../../devkit/go-tools';
import { runCheck } from '../../tools/check';

/**
 * Another team's consumer of the token, as the cluster this project was made for has three: its own
 * namespace, a StatefulSet reading a Secret that its own ExternalSecret (not this project's) fills
 * from the same Vault secret through the team's store.
 */
export function teamConsumer(cluster: ControlPlane, consumer: { namespace: string; name: string; externalSecret: string }): void {
  cluster.kubectl(['create', 'namespace', consumer.namespace]);
  cluster.kubectl(['apply', '-f', '-'], {
    input: JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        {
          apiVersion: 'external-secrets.io/v1',
          kind: 'ExternalSecret',
          metadata: { name: consumer.externalSecret, namespace: consumer.namespace },
          spec: {
            refreshInterval: '1h',
            secretStoreRef: { kind: 'ClusterSecretStore', name: 'vault-kv' },
            target: { name: consumer.externalSecret },
            data: [{ secretKey: 'CLAUDE_CODE_OAUTH_TOKEN', remoteRef: { key: 'claude-agent-service', property: 'claude_oauth_token' } }],
          },
        },
        agentStatefulSet({ namespace: consumer.namespace, name: consumer.name, secret: consumer.externalSecret, replicas: 1 }),
      ],
    }),
  });
}

/** A StatefulSet of agents (label `app=<name>`) taking the token from `secret` with envFrom, as a team's chart runs them. */
export function agentStatefulSet(agents: { namespace: string; name: string; secret: string; replicas: number }): Record<string, unknown> {
  const labels = { app: agents.name };
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: agents.name, namespace: agents.namespace },
    spec: {
      serviceName: agents.name,
      replicas: agents.replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'agent', image: 'docker.io/library/busybox:1.36', envFrom: [{ secretRef: { name: agents.secret } }] }] },
      },
    },
  };
}

/** A key of a Secret, decoded; undefined while the Secret or the key is absent. */
export function secretValue(cluster: ControlPlane, namespace: string, name: string, key: string): string | undefined {
  const run = cluster.kubectl(['get', 'secret', name, '-n', namespace, '-o', 'json'], { allowFailure: true });
  if (run.status !== 0) return undefined;
  const encoded = (JSON.parse(run.stdout) as { data?: Record<string, string> }).data?.[key];
  return encoded === undefined ? undefined : Buffer.from(encoded, 'base64').toString('utf8');
}

/** One sample of a pushed metric for a token path, as the Pushgateway exposes it. */
export function sample(metrics: string, name: string, tokenPath: string): number {
  const match = new RegExp(`^${name}\\{[^}]*path="${tokenPath}"[^}]*\\} (\\S+)$`, 'm').exec(metrics);
  if (!match) throw new Error(`no ${name}{path="${tokenPath}"} in the Pushgateway's metrics`);
  return Number(match[1]);
}

/** The uids of a workload's pods that are not being deleted. */
export function consumerPods(cluster: ControlPlane, namespace: string, selector: string): string[] {
  const pods = JSON.parse(cluster.kubectl(['get', 'pods', '-n', namespace, '-l', selector, '-o', 'json']).stdout) as { items: { metadata: { uid: string; deletionTimestamp?: string } }[] };
  return pods.items.filter((pod) => !pod.metadata.deletionTimestamp).map((pod) => pod.metadata.uid);
}

/** kubectl as a ServiceAccount (a TokenRequest token in a kubeconfig of its own in the cluster's folder, never in argv). */
export function serviceAccountKubectl(cluster: ControlPlane, namespace: string, name: string): (args: readonly string[]) => SpawnSyncReturns<string> {
  const token = cluster.kubectl(['create', 'token', name, '-n', namespace, '--duration=1h']).stdout.trim();
  const kubeconfig = path.join(cluster.dir, `kubeconfig-${namespace}-${name}`);
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'local', cluster: { server: cluster.server, 'certificate-authority': cluster.pki.caCert } }],
      users: [{ name, user: { token } }],
      contexts: [{ name: 'local', context: { cluster: 'local', user: name } }],
      'current-context': 'local',
    }),
  );
  return (args) => spawnSync(goProgram('kubernetes', 'kubectl'), ['--kubeconfig', kubeconfig, ...args], { encoding: 'utf8', timeout: 60_000 });
}

/** Makes the app copy a git repository at one commit, as the reviewed main branch is (outputs, state and dependencies left out). */
export function commitApp(dir: string, message: string): void {
  const git = (...args: string[]) => {
    const run = spawnSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.test', ...args], { cwd: dir, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`git ${args.join(' ')}: ${run.stderr}`);
  };
  git('init', '-q', '-b', 'main');
  writeFileSync(path.join(dir, '.git', 'info', 'exclude'), 'node_modules\ncdktf.out\nterraform.*.tfstate*\n');
  git('add', '-A');
  git('commit', '-q', '-m', message);
}

/**
 * `npm run check -- --base HEAD --details` on the working tree: per stack that needs a deploy, the
 * Terraform addresses it reports as added, removed or changed, sorted.
 */
export async function checkAddresses(dir: string): Promise<Record<string, string[]>> {
  let report = '';
  let errors = '';
  const status = await runCheck(['--base', 'HEAD', '--format', 'text', '--details'], { projectDir: dir, stdout: (text) => (report += text), stderr: (text) => (errors += text) });
  if (status !== 0) throw new Error(`npm run check exited ${status}:\n${report}\n${errors}`);
  const byStack: Record<string, string[]> = {};
  let stack = '';
  for (const line of report.split('\n')) {
    const heading = /Stack ([\w-]+): needs deploy/.exec(line);
    if (heading) stack = heading[1];
    else if (/Stack [\w-]+: no deploy needed/.test(line)) stack = '';
    const diff = /^- (?:added|removed|changed) `?([a-z0-9_]+\.[\w-]+)`?/.exec(line);
    if (diff && stack) (byStack[stack] ??= []).push(diff[1]);
  }
  for (const addresses of Object.values(byStack)) addresses.sort();
  return byStack;
}
