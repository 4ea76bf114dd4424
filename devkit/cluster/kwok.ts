import { readFileSync, writeFileSync } from 'fs';
import * as path from 'path';
import { cacheRoot } from '../go-build';
import { GO_TOOLS, goProgram } from '../go-tools';
import { freePort } from '../real-binaries';
import { ControlPlane } from './control-plane';
import { ClusterProcess, startProcess, waitFor } from './processes';

/**
 * KWOK's "fast" stages, from the very module the binary is built from: a node becomes Ready and keeps
 * its lease; a pod turns Running and Ready, a Job's pod Succeeded with exit code 0; a deleted pod goes.
 * Status only: no container runs, so no script ever runs inside these pods.
 */
const STAGES = ['node/fast/node-initialize.yaml', 'node/heartbeat-with-lease/node-heartbeat-with-lease.yaml', 'pod/fast/pod-ready.yaml', 'pod/fast/pod-complete.yaml', 'pod/fast/pod-delete.yaml'];

export const KWOK_NODE = 'kwok-node-0';

/**
 * Starts KWOK against `cluster` and registers one fake Node, Ready before this returns. With
 * `completeJobPods: false` a Job's pod stays Running until someone else ends it (devkit/cluster/host-kubelet.ts).
 */
export async function startKwok(cluster: ControlPlane, options: { completeJobPods?: boolean } = {}): Promise<ClusterProcess> {
  const stageDir = path.join(cacheRoot(), 'go', 'mod', 'sigs.k8s.io', `kwok@${GO_TOOLS.kwok.version}`, 'kustomize', 'stage');
  const stages = path.join(cluster.dir, 'kwok-stages.yaml');
  const stageFiles = options.completeJobPods === false ? STAGES.filter((stage) => !stage.endsWith('pod-complete.yaml')) : STAGES;
  writeFileSync(stages, stageFiles.map((stage) => readFileSync(path.join(stageDir, stage), 'utf8')).join('\n---\n'));
  const port = await freePort();
  const kwok = startProcess('kwok', goProgram('kwok', 'kwok'), [
    `--kubeconfig=${cluster.kubeconfig}`,
    `--config=${stages}`,
    '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
    '--node-lease-duration-seconds=40',
    // Its default 10.0.0.0/24 overlaps the service range.
    '--cidr=10.244.0.0/16',
    '--node-ip=127.0.0.2',
    `--server-address=127.0.0.1:${port}`,
  ], cluster.dir);
  cluster.processes.push(kwok);
  const capacity = { cpu: '32', memory: '256Gi', pods: '110' };
  cluster.kubectl(['apply', '-f', '-'], {
    input: JSON.stringify({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: KWOK_NODE, annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' }, labels: { 'kubernetes.io/hostname': KWOK_NODE, type: 'kwok' } },
      status: { allocatable: capacity, capacity },
    }),
  });
  await waitFor(
    `KWOK's node ${KWOK_NODE} Ready`,
    () => (cluster.kubectl(['get', 'node', KWOK_NODE, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'], { allowFailure: true }).stdout === 'True' ? true : undefined),
    60_000,
    () => kwok.log(),
  );
  return kwok;
}
