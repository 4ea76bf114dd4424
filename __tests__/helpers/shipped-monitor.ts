import { spawn } from 'child_process';
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { Testing } from 'cdktf';
import { ClaudeAgentServiceStack } from '../../stacks/claude-agent-service/claude-agent-service-stack';
import { testInventory } from './inventory';
import { resourcesOfType, synthStack } from './synth';

let shippedScript: string | undefined;

/**
 * The monitor exactly as deployed: the `monitor.js` of the script ConfigMap in the synthesized
 * claude-agent-service stack, written to a file.
 */
export function shippedMonitorScript(): string {
  if (shippedScript) return shippedScript;
  const json = synthStack(new ClaudeAgentServiceStack(Testing.app(), 'claude-agent-service', { inventory: testInventory() }));
  const scriptMap = resourcesOfType(json, 'kubernetes_config_map_v1').find((configMap) => 'monitor.js' in configMap.data);
  if (!scriptMap) throw new Error('no ConfigMap with monitor.js in the synthesized stack');
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'shipped-monitor-')), 'monitor.js');
  writeFileSync(file, scriptMap.data['monitor.js']);
  shippedScript = file;
  return file;
}

export interface MonitorRunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly elapsedMs: number;
  /** The run's JSON log line. */
  readonly log: Record<string, any>;
}

/** Runs the shipped script with `node`, as the CronJob's container does, with only the given environment. */
export function runShippedMonitor(env: Record<string, string>, args: string[] = []): Promise<MonitorRunResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [shippedMonitorScript(), ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
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
