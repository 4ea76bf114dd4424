import { spawn } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { ClaudeAgentServiceStack } from '../../stacks/claude-agent-service/claude-agent-service-stack';
import { testInventory } from './inventory';
import { asTerraformReads, resourcesOfType, synthStack, testApp } from './synth';
import { testScripts } from './scripts';

const shippedScripts = new Map<string, string>();
afterAll(() => {
  for (const file of shippedScripts.values()) rmSync(path.dirname(file), { recursive: true, force: true });
});

/**
 * A script exactly as deployed: `key` of the script ConfigMap in the synthesized claude-agent-service
 * stack (the probe switched on), written to a file.
 */
function shippedScript(key: 'monitor.js' | 'probe.js'): string {
  const cached = shippedScripts.get(key);
  if (cached) return cached;
  const stack = new ClaudeAgentServiceStack(testApp(), 'claude-agent-service', { inventory: testInventory(), scripts: testScripts(), tokenProbe: {} });
  const scriptMap = resourcesOfType(synthStack(stack), 'kubernetes_config_map_v1').find((configMap) => key in configMap.data);
  if (!scriptMap) throw new Error(`no ConfigMap with ${key} in the synthesized stack`);
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'shipped-script-')), key);
  writeFileSync(file, asTerraformReads(scriptMap.data[key]));
  shippedScripts.set(key, file);
  return file;
}

export const shippedMonitorScript = () => shippedScript('monitor.js');
export const shippedProbeScript = () => shippedScript('probe.js');

export interface MonitorRunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly elapsedMs: number;
  /** The run's JSON log line. */
  readonly log: Record<string, any>;
}

/** Runs the shipped monitor with `node`, as the CronJob's container does, with only the given environment. */
export function runShippedMonitor(env: Record<string, string>, args: string[] = []): Promise<MonitorRunResult> {
  return runScript(shippedMonitorScript(), env, args);
}

/** Runs the shipped probe likewise. */
export function runShippedProbe(env: Record<string, string>): Promise<MonitorRunResult> {
  return runScript(shippedProbeScript(), env, []);
}

function runScript(script: string, env: Record<string, string>, args: string[]): Promise<MonitorRunResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const lines = stderr.trim().split('\n');
      let log: Record<string, any> = {};
      try {
        log = JSON.parse(lines[lines.length - 1]);
      } catch {
        // left empty: the assertion on it shows stderr
      }
      resolve({ code, stdout, stderr, elapsedMs: Date.now() - started, log });
    });
  });
}
