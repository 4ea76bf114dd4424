/**
 * `npm run bench`: prints numbers, asserts nothing (CI runs tests, not races).
 *  - synth: `npm run synth` vs `node -r ./tools/register-ts.js main.ts` vs the cdktf template's `npx ts-node main.ts`;
 *  - with a 1,000-token map: the shipped monitor's wall time and peak RSS against a real Pushgateway,
 *    the bundle size, and synth time;
 *  - `npm run check` against HEAD, with the base synthesized afresh (`--no-cache`) and kept from a run before;
 *  - `npm run tokens -- status`;
 *  - `npm test`'s static checks (the type check and the lint over one program, caches warm);
 *  - the unit suite (`npx jest`, once: it takes most of a minute).
 */
import { spawnSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { bundleScript, SCRIPT_ENTRY_POINTS } from '../constructs/script-bundle';
import { epochSeconds, expiryOf } from '../inventory/expiry';
import { AppCopy, REPO_ROOT } from '../devkit/app-copy';
import { ConfigMapMount } from '../devkit/configmap-mount';
import { startPushgateway } from '../devkit/real-binaries';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TOKENS = 1_000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Wall-clock milliseconds of `command`, run `RUNS` times in fresh processes; fails loudly if it fails. */
function timeCommand(command: string, cwd: string): number[] {
  return Array.from({ length: RUNS }, () => {
    const started = process.hrtime.bigint();
    const run = spawnSync('sh', ['-c', command], { cwd, encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
    const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
    if (run.status !== 0) throw new Error(`${command} failed:\n${run.stderr}`);
    return elapsed;
  });
}

function row(label: string, value: string): void {
  console.log(`${label.padEnd(58)} ${value}`);
}

async function main(): Promise<void> {
  console.log(`claude-oauth-tokens bench (median of ${RUNS} runs each, node ${process.version})\n`);

  const npmSynth = median(timeCommand('npm run synth --silent > /dev/null', REPO_ROOT));
  const nodeSynth = median(timeCommand('node -r ./tools/register-ts.js main.ts > /dev/null', REPO_ROOT));
  const tsNodeSynth = median(timeCommand('npx ts-node main.ts > /dev/null', REPO_ROOT));
  row('synth, example map: npm run synth', `${npmSynth.toFixed(0)} ms`);
  row('synth, example map: node -r ./tools/register-ts.js main.ts', `${nodeSynth.toFixed(0)} ms`);
  row('synth, example map: npx ts-node main.ts (cdktf template)', `${tsNodeSynth.toFixed(0)} ms`);
  row('  npm run synth / ts-node', `${(npmSynth / tsNodeSynth).toFixed(2)}x`);

  // The first run keeps the base's output; --no-cache never reads it.
  timeCommand('node -r ./tools/register-ts.js tools/check.ts --base HEAD > /dev/null', REPO_ROOT);
  row('npm run check --base HEAD, base synthesized afresh', `${median(timeCommand('node -r ./tools/register-ts.js tools/check.ts --base HEAD --no-cache > /dev/null', REPO_ROOT)).toFixed(0)} ms`);
  row('npm run check --base HEAD, base kept from a run before', `${median(timeCommand('node -r ./tools/register-ts.js tools/check.ts --base HEAD > /dev/null', REPO_ROOT)).toFixed(0)} ms`);

  row('npm run tokens -- status', `${median(timeCommand('node -r ./tools/register-ts.js tools/tokens.ts status > /dev/null', REPO_ROOT)).toFixed(0)} ms`);

  const bundle = bundleScript(SCRIPT_ENTRY_POINTS.monitor);
  row('monitor bundle size', `${(Buffer.byteLength(bundle.code) / 1024).toFixed(1)} KiB`);

  // A 1,000-token map: primary plus 999 spares, all minted a day ago.
  const mintedAt = Math.floor(Date.now() / 1000) - 86_400;
  const paths = ['primary', ...Array.from({ length: TOKENS - 1 }, (_, i) => `spare-${i + 1}`)];
  const app = new AppCopy();
  try {
    app.writeEpochMapEntries(paths.map((p) => `'${p}': ${mintedAt},`));
    row(`synth, ${TOKENS}-token map: npm run synth`, `${median(timeCommand('npm run synth --silent > /dev/null', app.dir)).toFixed(0)} ms`);
  } finally {
    app.remove();
  }

  const gateway = await startPushgateway();
  const mount = new ConfigMapMount(Object.fromEntries(paths.map((p) => [p, String(expiryOf(epochSeconds(mintedAt)))])));
  const scratch = mkdtempSync(path.join(tmpdir(), 'bench-monitor-'));
  try {
    const script = path.join(scratch, 'monitor.js');
    writeFileSync(script, bundle.code);
    // Reports the process's own peak RSS on exit, without touching the script.
    const rssProbe = path.join(scratch, 'rss-probe.js');
    writeFileSync(rssProbe, "process.on('exit', () => process.stderr.write(`BENCH_MAX_RSS_KB ${process.resourceUsage().maxRSS}\\n`));\n");
    const walls: number[] = [];
    const rss: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const started = process.hrtime.bigint();
      const run = spawnSync(process.execPath, ['-r', rssProbe, script], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, TOKEN_EXPIRY_DIR: mount.dir, PUSHGATEWAY_URL: gateway.url },
      });
      walls.push(Number(process.hrtime.bigint() - started) / 1e6);
      if (run.status !== 0) throw new Error(`monitor failed:\n${run.stderr}`);
      rss.push(Number(/BENCH_MAX_RSS_KB (\d+)/.exec(run.stderr)![1]) / 1024);
    }
    row(`monitor, ${TOKENS}-token map, real Pushgateway: wall`, `${median(walls).toFixed(0)} ms`);
    row(`monitor, ${TOKENS}-token map, real Pushgateway: peak RSS`, `${median(rss).toFixed(1)} MiB`);
  } finally {
    mount.remove();
    rmSync(scratch, { recursive: true, force: true });
    await gateway.stop();
  }

  const staticChecks = median(timeCommand('node -r ./tools/register-ts.js devkit/static-checks.ts', REPO_ROOT));
  row('npm test static checks: tsc + lint, one program (warm)', `${(staticChecks / 1000).toFixed(1)} s`);

  const suiteStarted = process.hrtime.bigint();
  const suite = spawnSync('npx', ['jest', '--silent'], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
  if (suite.status !== 0) throw new Error(`the unit suite failed:\n${suite.stderr.slice(-3000)}`);
  row('unit suite: npx jest (one run, wall)', `${(Number(process.hrtime.bigint() - suiteStarted) / 1e9).toFixed(1)} s`);
}

const HELP = `Usage: npm run bench   (BENCH_RUNS=N for more runs than ${RUNS})

Prints numbers and asserts nothing: synth's wall time three ways, the shipped monitor with a
${TOKENS.toLocaleString('en-US')}-token map against a real Pushgateway, the bundle size, npm run check with and
without its kept base, npm run tokens -- status, npm test's static checks, and one run of the unit suite.

Example: BENCH_RUNS=10 npm run bench`;

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(HELP);
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
