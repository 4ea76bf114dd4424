import { spawnSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { stringify } from 'yaml';
import { missingDebianPackage } from '../../devkit/real-binaries';

export interface PromtoolResult {
  readonly status: number | null;
  readonly output: string;
}

/** Runs `promtool <args>` in a scratch directory holding `files`. */
export function promtool(args: string[], files: Record<string, string>): PromtoolResult {
  const dir = mkdtempSync(path.join(tmpdir(), 'promtool-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
    const run = spawnSync('promtool', args, { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    if (run.error && (run.error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(missingDebianPackage('promtool'));
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One `promtool test rules` test group. */
export interface PromtoolTestGroup {
  readonly name: string;
  readonly interval: string;
  readonly input_series: ReadonlyArray<{ series: string; values: string }>;
  readonly alert_rule_test: ReadonlyArray<{
    eval_time: string;
    alertname: string;
    exp_alerts: ReadonlyArray<{ exp_labels: Record<string, string>; exp_annotations?: Record<string, string> }>;
  }>;
}

/** `promtool test rules` over a rules file and test groups; evaluation every minute. */
export function promtoolTestRules(rulesFile: string, tests: readonly PromtoolTestGroup[]): PromtoolResult {
  const testFile = stringify({ rule_files: ['rules.yml'], evaluation_interval: '1m', tests }, { lineWidth: 0 });
  return promtool(['test', 'rules', 'tests.yml'], { 'rules.yml': rulesFile, 'tests.yml': testFile });
}

/**
 * Prometheus's template functions, as an oracle for expected annotations (template/template.go):
 * `humanizeDuration` for values >= 1 s, and `humanizeTimestamp` (Go's Time.String in UTC).
 */
export function humanizeDuration(seconds: number): string {
  const sign = seconds < 0 ? '-' : '';
  const total = Math.trunc(Math.abs(seconds));
  const [days, hours, minutes, secs] = [Math.trunc(total / 86_400), Math.trunc(total / 3_600) % 24, Math.trunc(total / 60) % 60, total % 60];
  if (days) return `${sign}${days}d ${hours}h ${minutes}m ${secs}s`;
  if (hours) return `${sign}${hours}h ${minutes}m ${secs}s`;
  if (minutes) return `${sign}${minutes}m ${secs}s`;
  return `${sign}${secs}s`;
}

export function humanizeTimestamp(epochSeconds: number): string {
  return `${new Date(epochSeconds * 1000).toISOString().replace('T', ' ').replace(/\.000Z$/, '')} +0000 UTC`;
}
