import { appendFileSync } from 'fs';
import * as path from 'path';
import { ControlPlane } from './control-plane';
import { HostRun, PodSpec, runPodOnHost } from './host-pod';

interface Pod {
  metadata: { name: string; namespace: string; uid: string; ownerReferences?: { kind: string; name: string }[] };
  spec: PodSpec & { nodeName?: string };
  status: { phase?: string };
}

/** One program a Job's pod ran on the host, and how it ended. */
export interface HostKubeletRun extends HostRun {
  readonly namespace: string;
  readonly job: string;
  readonly pod: string;
}

/**
 * What KWOK cannot do: run a Job's pod. Every Job pod KWOK has made Running is run here, on the host
 * ({@link runPodOnHost}), and its exit code reported as the pod's status (Succeeded or Failed, the
 * container terminated with that code), so the Job controller, and Terraform waiting on the Job, see
 * what the real script did. KWOK must run without its pod-complete stage for this.
 */
export class HostKubelet {
  readonly runs: HostKubeletRun[] = [];
  private readonly handled = new Set<string>();
  private timer?: NodeJS.Timeout;
  private polling = false;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly cluster: ControlPlane,
    private readonly overrides: Readonly<Record<string, string>> = {},
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.poll(), 300);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(this.inFlight);
  }

  /** The runs of pods of Jobs whose name starts with `prefix`. */
  runsOf(prefix: string): HostKubeletRun[] {
    return this.runs.filter((run) => run.job.startsWith(prefix));
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const answer = await this.cluster.get('/api/v1/pods?fieldSelector=status.phase%3DRunning');
      if (answer.status !== 200) return;
      for (const pod of (JSON.parse(answer.body) as { items: Pod[] }).items) {
        const job = pod.metadata.ownerReferences?.find((owner) => owner.kind === 'Job')?.name;
        if (!job || this.handled.has(pod.metadata.uid)) continue;
        this.handled.add(pod.metadata.uid);
        const running = this.run(pod, job);
        this.inFlight.add(running);
        void running.finally(() => this.inFlight.delete(running));
      }
    } finally {
      this.polling = false;
    }
  }

  private async run(pod: Pod, job: string): Promise<void> {
    const { namespace, name } = pod.metadata;
    let result: HostRun;
    try {
      result = await runPodOnHost(this.cluster, namespace, pod.spec, this.overrides);
    } catch (error) {
      result = { status: 127, stdout: '', stderr: `host kubelet: ${(error as Error).message}` };
    }
    this.runs.push({ ...result, namespace, job, pod: name });
    appendFileSync(path.join(this.cluster.dir, 'host-kubelet.log'), `--- ${namespace}/${name} (Job ${job}) exited ${result.status}\n${result.stdout}${result.stderr}\n`);
    const now = new Date().toISOString();
    const exitCode = result.status ?? 137;
    const status = {
      phase: exitCode === 0 ? 'Succeeded' : 'Failed',
      containerStatuses: pod.spec.containers.map((container) => ({
        name: (container as { name?: string }).name,
        image: (container as { image?: string }).image,
        imageID: '',
        ready: false,
        restartCount: 0,
        started: false,
        state: { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt: now, finishedAt: now } },
      })),
    };
    this.cluster.kubectl(['patch', 'pod', name, '-n', namespace, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })], { allowFailure: true });
  }
}
