import { existsSync, readdirSync, readFileSync, rmSync } from 'fs';
import * as path from 'path';
import { AppCopy } from '../app-copy';
import { cacheRoot } from '../go-build';
import { GO_TOOLS, goProgram } from '../go-tools';
import { ControlPlane, ControlPlaneOptions, startControlPlane } from './control-plane';
import { enableKubernetesAuth, OpenBao, startOpenBao } from './openbao';
import { runCommand, stopAll } from './processes';
import { runTofu, TofuRun, writeProviderMirror } from './tofu-mirror';

/** ESO's CRDs from the very module the controller is built from (gotools/external-secrets). */
export function esoCrdBundle(): string {
  const file = path.join(cacheRoot(), 'go', 'mod', 'github.com', 'external-secrets', `external-secrets@${GO_TOOLS['external-secrets'].version}`, 'deploy', 'crds', 'bundle.yaml');
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build:go-tools -- --cluster\` (it downloads ESO's module).`);
  return file;
}

/**
 * A real control plane and OpenBao on loopback with the prerequisites docs/deploying.md names (ESO's
 * CRDs, the namespaces, ESO's ServiceAccount, Kubernetes auth in Vault), and a copy of the app
 * synthesized for it: what an operator has before `npm run deploy`.
 */
export class LocalCluster {
  readonly app = new AppCopy();
  readonly tofuEnv: NodeJS.ProcessEnv;
  private kept = false;

  private constructor(
    readonly cluster: ControlPlane,
    readonly bao: OpenBao,
  ) {
    this.tofuEnv = {
      ...process.env,
      TF_CLI_CONFIG_FILE: writeProviderMirror(cluster.dir),
      TF_IN_AUTOMATION: '1',
      CHECKPOINT_DISABLE: '1',
      NO_COLOR: '1',
      KUBE_CONFIG_PATH: cluster.kubeconfig,
      VAULT_ADDR: bao.address,
      VAULT_TOKEN: bao.rootToken,
      // The providers' own search paths: nothing of this machine's may leak in.
      KUBECONFIG: cluster.kubeconfig,
      HOME: cluster.dir,
    };
  }

  /** The control plane, OpenBao and ESO's CRDs; the prerequisites come with {@link installPrerequisites}. */
  static async start(options: ControlPlaneOptions = {}): Promise<LocalCluster> {
    const cluster = await startControlPlane(options);
    try {
      const bao = await startOpenBao(cluster.dir);
      cluster.kubectl(['apply', '--server-side', '-f', esoCrdBundle()]);
      cluster.kubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd/externalsecrets.external-secrets.io', 'crd/clustersecretstores.external-secrets.io']);
      return new LocalCluster(cluster, bao);
    } catch (error) {
      await stopAll();
      throw error;
    }
  }

  /**
   * What docs/deploying.md#prerequisites names: the namespaces, ESO's ServiceAccount, Kubernetes auth
   * in Vault (at `authMount`, default `kubernetes`).
   */
  async installPrerequisites(options: { authMount?: string } = {}): Promise<void> {
    for (const namespace of ['claude-agent', 'monitoring', 'external-secrets']) this.cluster.kubectl(['create', 'namespace', namespace]);
    this.cluster.kubectl(['create', 'serviceaccount', 'external-secrets', '-n', 'external-secrets']);
    await enableKubernetesAuth(this.bao, this.cluster, options.authMount);
  }

  /** Synthesizes the app copy (with `context` merged over its cdktf.json's); throws with synth's output on failure. */
  synth(context: Record<string, unknown> = {}): void {
    const settings = JSON.parse(this.app.read('cdktf.json')) as { context: Record<string, unknown> };
    this.app.write('cdktf.json', JSON.stringify({ ...settings, context: { ...settings.context, ...context } }, null, 2));
    const run = this.app.synth();
    if (run.status !== 0) throw new Error(`synth failed:\n${run.stdout}\n${run.stderr}`);
  }

  /** A stack's folder in the synth output. */
  stackDir(stack: string): string {
    return path.join(this.app.dir, 'cdktf.out', 'stacks', stack);
  }

  /** `tofu -chdir=cdktf.out/stacks/<stack> <args>`, as docs/deploying.md's terraform-less lines run it. */
  tofu(stack: string, args: readonly string[]): Promise<TofuRun> {
    const [command, ...rest] = args;
    return runTofu([`-chdir=${path.relative(this.app.dir, this.stackDir(stack))}`, command, ...(command === 'show' ? [] : ['-no-color']), ...rest], { cwd: this.app.dir, env: this.tofuEnv });
  }

  /** As `tofu`, throwing with its output unless it exits with one of `okStatuses`. */
  async tofuOk(stack: string, args: readonly string[], okStatuses: readonly number[] = [0]): Promise<TofuRun> {
    const run = await this.tofu(stack, args);
    if (!okStatuses.includes(run.status ?? -1)) throw new Error(`tofu ${args.join(' ')} in ${stack} exited ${run.status}:\n${run.stdout.slice(-3000)}\n${run.stderr.slice(-3000)}`);
    return run;
  }

  /**
   * `npm run deploy -- <stacks> --auto-approve --skip-provider-lock`, as docs/deploying.md has an
   * operator run it where the providers come from a mirror: the installed cdktf CLI synthesizes and
   * drives `tofu` (TERRAFORM_BINARY_NAME) with this cluster's environment. (Without the flag the CLI
   * runs `providers lock`, which asks the public registry whatever the CLI config says.)
   */
  deploy(stacks: readonly string[]): Promise<TofuRun> {
    return runCommand('npm', ['run', '--silent', 'deploy', '--', ...stacks, '--auto-approve', '--skip-provider-lock'], {
      cwd: this.app.dir,
      env: { ...this.tofuEnv, TERRAFORM_BINARY_NAME: 'tofu', PATH: `${path.dirname(goProgram('opentofu', 'tofu'))}:${process.env.PATH}`, CI: 'true', CDKTF_CONTEXT_JSON: undefined, CDKTF_OUTDIR: undefined },
    });
  }

  /** The local state of a stack as Terraform wrote it (`terraform.<stack>.tfstate` at the app's root). */
  stateText(stack: string): string {
    const file = path.join(this.app.dir, `terraform.${stack}.tfstate`);
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  }

  /** Every log the suite keeps for this cluster (each process's, the host kubelet's), concatenated. */
  logs(): string {
    return readdirSync(this.cluster.dir)
      .filter((name) => name.endsWith('.log'))
      .map((name) => readFileSync(path.join(this.cluster.dir, name), 'utf8'))
      .join('\n');
  }

  /** A ServiceAccount token from the TokenRequest API, as a pod of that account gets one. */
  serviceAccountToken(namespace: string, name: string, audience?: string): string {
    return this.cluster.kubectl(['create', 'token', name, '-n', namespace, '--duration=1h', ...(audience ? ['--audience', audience] : [])]).stdout.trim();
  }

  /** Keep the cluster's folder (logs, state, kubeconfig) for a failed run, and say where. */
  keepForInspection(): void {
    this.kept = true;
  }

  async stop(): Promise<void> {
    await stopAll();
    if (this.kept) {
      console.log(`The local cluster's logs and files are kept in ${this.cluster.dir} and ${this.app.dir}`);
      return;
    }
    this.app.remove();
    rmSync(this.cluster.dir, { recursive: true, force: true });
  }
}
