import { ChildProcess, spawn, spawnSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { createServer } from 'net';
import { tmpdir } from 'os';
import * as path from 'path';

/** A real Debian binary (Pushgateway, Prometheus, Alertmanager) running on a loopback port. */
export interface RunningBinary {
  readonly url: string;
  readonly port: number;
  /** A scratch directory of its own, removed on stop. */
  readonly dataDir: string;
  /** Everything it printed so far, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/** What a test says when one of the Debian binaries the suite runs is not installed. */
export function missingDebianPackage(command: string): string {
  return `${command} is not installed: the tests run the real one. Install it with: sudo apt-get install -y prometheus prometheus-pushgateway prometheus-alertmanager`;
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const running = new Set<RunningBinary>();

/**
 * Starts `command` with the args `buildArgs(port, dataDir)` gives, and waits until `readyPath`
 * answers 200. Retries on another port if the first was taken in between.
 */
export async function startBinary(
  command: string,
  buildArgs: (port: number, dataDir: string) => string[],
  readyPath = '/-/ready',
): Promise<RunningBinary> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const dataDir = mkdtempSync(path.join(tmpdir(), `${path.basename(command)}-`));
    if (spawnSync('sh', ['-c', `command -v ${command}`]).status !== 0) throw new Error(missingDebianPackage(command));
    const child = spawn(command, buildArgs(port, dataDir), { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const binary: RunningBinary = {
      url: `http://127.0.0.1:${port}`,
      port,
      dataDir,
      output: () => output,
      stop: async () => {
        running.delete(binary);
        await stopProcess(child);
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
    running.add(binary);
    try {
      await waitUntilReady(binary.url + readyPath, child, () => output);
      return binary;
    } catch (error) {
      lastError = error;
      await binary.stop();
    }
  }
  throw lastError;
}

/** Stops whatever a test file left running (for an afterAll). */
export async function stopAllBinaries(): Promise<void> {
  await Promise.all([...running].map((binary) => binary.stop()));
}

async function waitUntilReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${child.spawnfile} exited with ${child.exitCode} before it was ready:\n${output()}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${child.spawnfile} was not ready at ${url} within 15 s:\n${output()}`);
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export function startPushgateway(): Promise<RunningBinary> {
  return startBinary('prometheus-pushgateway', (port) => [`--web.listen-address=127.0.0.1:${port}`]);
}

/** Prometheus with `config` (YAML) and any `files` (e.g. the rules file) beside it. */
export function startPrometheus(config: (dataDir: string) => string, files: Record<string, string> = {}): Promise<RunningBinary> {
  return startBinary('prometheus', (port, dataDir) => {
    writeFileSync(path.join(dataDir, 'prometheus.yml'), config(dataDir));
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dataDir, name), text);
    return [
      `--config.file=${path.join(dataDir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dataDir, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--rules.alert.resend-delay=1s',
      '--web.enable-lifecycle', // as the prometheus chart runs it: its config-reloader POSTs /-/reload
    ];
  });
}

/** Alertmanager with `config` (YAML), clustering off so it binds nothing but its own port. */
export function startAlertmanager(config: string): Promise<RunningBinary> {
  return startBinary('prometheus-alertmanager', (port, dataDir) => {
    writeFileSync(path.join(dataDir, 'alertmanager.yml'), config);
    return [
      `--config.file=${path.join(dataDir, 'alertmanager.yml')}`,
      `--storage.path=${dataDir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ];
  });
}
