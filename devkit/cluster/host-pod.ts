import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import * as path from 'path';
import { ControlPlane } from './control-plane';
import { CommandRun, runCommand } from './processes';

interface Container {
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  volumeMounts?: { name: string; mountPath: string }[];
}
export interface PodSpec {
  serviceAccountName?: string;
  containers: Container[];
  volumes?: { name: string; configMap?: { name: string }; projected?: unknown }[];
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

interface ProjectedVolume {
  sources?: { serviceAccountToken?: { audience?: string; path: string } }[];
}

/** What a host run of a pod's program left. */
export type HostRun = CommandRun;

/**
 * Runs a pod's program on this host, as the kubelet would have run it (KWOK runs nothing): its
 * command with the container's environment, each ConfigMap volume as files (read from the API, so
 * what runs is what the apply stored), and, when the pod mounts it, its ServiceAccount's token from the
 * TokenRequest API with the cluster CA where the script is told to look for them (`K8S_TOKEN_FILE`, `K8S_CA_FILE`); a
 * variable holding a path into a mount points at the mount's files. `overrides` replaces the values of environment
 * variables the container sets that name in-cluster addresses (a Service's DNS name) by their
 * loopback equivalents; a variable the container does not set is not added.
 */
export async function runPodOnHost(cluster: ControlPlane, namespace: string, pod: PodSpec, overrides: Readonly<Record<string, string>> = {}): Promise<HostRun> {
  const [container] = pod.containers;
  const root = mkdtempSync(path.join(cluster.dir, 'host-pod-'));
  try {
    const mounts = new Map<string, string>();
    let mountsServiceAccount = false;
    for (const mount of container.volumeMounts ?? []) {
      const volume = pod.volumes?.find((candidate) => candidate.name === mount.name);
      // The ServiceAccount token the API server injects (automountServiceAccountToken): given below,
      // where the script is told to look.
      if (volume?.projected && mount.mountPath === SERVICE_ACCOUNT_DIR) {
        mountsServiceAccount = true;
        continue;
      }
      // A projected ServiceAccount token for another audience (the monitor's for Vault): from the
      // TokenRequest API with that audience, at the path the pod mounts it.
      const projectedToken = (volume?.projected as ProjectedVolume | undefined)?.sources?.find((source) => source.serviceAccountToken)?.serviceAccountToken;
      if (projectedToken) {
        const dir = path.join(root, 'mounts', mount.name);
        mkdirSync(dir, { recursive: true });
        const audience = projectedToken.audience ? [`--audience=${projectedToken.audience}`] : [];
        writeFileSync(path.join(dir, projectedToken.path), cluster.kubectl(['create', 'token', pod.serviceAccountName ?? 'default', '-n', namespace, '--duration=1h', ...audience]).stdout.trim());
        mounts.set(mount.mountPath.replace(/\/+$/, ''), dir);
        continue;
      }
      if (!volume?.configMap) throw new Error(`volume ${mount.name} of a pod in ${namespace} is not a ConfigMap: this harness mounts ConfigMaps only`);
      const configMap = JSON.parse(cluster.kubectl(['get', 'configmap', volume.configMap.name, '-n', namespace, '-o', 'json']).stdout) as { data?: Record<string, string> };
      const dir = path.join(root, 'mounts', mount.name);
      mkdirSync(dir, { recursive: true });
      for (const [key, value] of Object.entries(configMap.data ?? {})) writeFileSync(path.join(dir, key), value);
      mounts.set(mount.mountPath.replace(/\/+$/, ''), dir);
    }
    const onHost = (arg: string) => {
      for (const [mountPath, dir] of mounts) if (arg === mountPath || arg.startsWith(`${mountPath}/`)) return dir + arg.slice(mountPath.length);
      return arg;
    };
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH };
    if (mountsServiceAccount) {
      const tokenFile = path.join(root, 'token');
      writeFileSync(tokenFile, cluster.kubectl(['create', 'token', pod.serviceAccountName ?? 'default', '-n', namespace, '--duration=1h']).stdout.trim());
      Object.assign(env, { K8S_API_URL: cluster.server, K8S_TOKEN_FILE: tokenFile, K8S_CA_FILE: cluster.pki.caCert });
    }
    for (const variable of container.env ?? []) {
      if (variable.valueFrom !== undefined) throw new Error(`env ${variable.name} of a pod in ${namespace} uses valueFrom: not supported by this harness`);
      // A path into a mount (TOKEN_EXPIRY_DIR=/etc/…) points at the mount's files here.
      env[variable.name] = onHost(variable.value ?? '');
    }
    for (const [name, value] of Object.entries(overrides)) if (name in env) env[name] = value;
    const [command, ...args] = [...(container.command ?? []), ...(container.args ?? [])].map(onHost);
    return await runCommand(command === 'node' ? process.execPath : command, args, { env, cwd: root });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
