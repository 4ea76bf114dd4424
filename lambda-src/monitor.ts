import { daysLeft, EpochSeconds, isoUtc, nowInSeconds } from '../inventory/expiry';
import { redactSecrets, showArgument } from '../inventory/token-shape';
import {
  DEFAULT_PUSH_ATTEMPTS,
  DEFAULT_PUSH_BACKOFF_MS,
  DEFAULT_PUSH_TIMEOUT_MS,
  DEFAULT_PUSHGATEWAY_URL,
  MAX_PUSH_ATTEMPTS,
  MAX_PUSH_BACKOFF_MS,
  MAX_PUSH_TIMEOUT_MS,
  MONITOR_JOB,
  MonitorEnv,
  ScriptExit,
} from './contract';
import { checkVaultDrift, driftSamples } from './drift-check';
import { ScriptInputError, readExpiryDirectory } from './expiry-entries';
import { renderExposition } from './exposition';
import { readEnvInteger } from './env-number';
import { PushError, pushGroup, pushgatewayUrlProblem, redactUrl } from './pushgateway';

/** What one run touches, so that tests can run it in-process. */
export interface MonitorIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly argv: readonly string[];
  /** Where the exposition goes with `--dry-run`. */
  readonly stdout: (text: string) => void;
  /** One JSON line per run. */
  readonly log: (line: string) => void;
  /** Unix seconds. */
  readonly now?: () => EpochSeconds;
}

interface MonitorSettings {
  readonly expiryDir: string;
  readonly pushgatewayUrl: string;
  readonly timeoutMs: number;
  readonly attempts: number;
  readonly backoffMs: number;
  readonly dryRun: boolean;
}

/** What `npm run monitor -- --help` prints (the CronJob never passes it). */
export const MONITOR_HELP = `Usage: npm run monitor -- [--dry-run]

Reads the mounted expiry ConfigMap (TOKEN_EXPIRY_DIR), validates every entry, and PUTs the token
expiries and the push time to the Pushgateway (PUSHGATEWAY_URL); --dry-run prints the exposition and
pushes nothing. Exit 0 pushed, 1 bad input (nothing pushed), 2 the push failed.

Example: TOKEN_EXPIRY_DIR=/tmp/expiry npm run monitor -- --dry-run`;

/**
 * Reads the mounted expiry map, validates all of it, and PUTs the monitor's group to the
 * Pushgateway (or prints it, with `--dry-run`). Returns the exit code; never reads a token.
 */
export async function runMonitor(io: MonitorIo): Promise<number> {
  if (io.argv.includes('--help') || io.argv.includes('-h')) {
    io.stdout(`${MONITOR_HELP}\n`);
    return ScriptExit.ok;
  }
  const startedMs = Date.now();
  const now = io.now ?? nowInSeconds;
  const log = (level: 'info' | 'error', fields: Record<string, unknown>) =>
    io.log(redactSecrets(JSON.stringify({ level, job: MONITOR_JOB, ...fields, duration_ms: Date.now() - startedMs })));

  let settings: MonitorSettings;
  let entries;
  try {
    settings = readSettings(io.env, io.argv);
    entries = readExpiryDirectory(settings.expiryDir, now());
  } catch (error) {
    if (!(error instanceof ScriptInputError)) throw error;
    log('error', { event: 'invalid_input', error: error.message, pushed: false });
    return ScriptExit.invalidInput;
  }

  // Best effort, bounded by its timeouts: whatever Vault does, the expiry push below still happens.
  const drift = await checkVaultDrift(io.env, entries.map((entry) => entry.path));
  const vault = drift?.map(({ path, check }) => (check.ok ? { path, ok: true } : { path, ok: false, reason: check.reason }));
  const pushedAt = now();
  const body = renderExposition(entries, pushedAt, drift && driftSamples(drift));
  const tokens = entries.map((entry) => ({ path: entry.path, expires: isoUtc(entry.expiresAt), days_left: daysLeft(entry.expiresAt, pushedAt) }));
  if (settings.dryRun) {
    io.stdout(body);
    log('info', { event: 'dry_run', tokens, ...(vault ? { vault } : {}) });
    return ScriptExit.ok;
  }
  const pushgateway = redactUrl(settings.pushgatewayUrl);
  try {
    const result = await pushGroup({
      baseUrl: settings.pushgatewayUrl,
      job: MONITOR_JOB,
      body,
      timeoutMs: settings.timeoutMs,
      attempts: settings.attempts,
      backoffMs: settings.backoffMs,
    });
    log('info', { event: 'pushed', pushgateway, attempts: result.attempts, tokens, ...(vault ? { vault } : {}) });
    return ScriptExit.ok;
  } catch (error) {
    if (!(error instanceof PushError)) throw error;
    log('error', { event: 'push_failed', pushgateway, attempts: error.attempts, error: error.message });
    return ScriptExit.pushFailed;
  }
}

function readSettings(env: MonitorIo['env'], argv: readonly string[]): MonitorSettings {
  const problems: string[] = [];
  const unknownArgs = argv.filter((arg) => arg !== '--dry-run');
  if (unknownArgs.length > 0) problems.push(`unknown argument ${unknownArgs.map(showArgument).join(' ')}: the only option is --dry-run.`);
  const dryRun = argv.includes('--dry-run');
  const expiryDir = env[MonitorEnv.expiryDir];
  if (!expiryDir) problems.push(`${MonitorEnv.expiryDir} is not set: point it at the mounted claude-oauth-token-expiry ConfigMap.`);
  const pushgatewayUrl = env[MonitorEnv.pushgatewayUrl] ?? '';
  if (pushgatewayUrl === '' && !dryRun) {
    problems.push(`${MonitorEnv.pushgatewayUrl} is not set: point it at the Pushgateway, e.g. ${DEFAULT_PUSHGATEWAY_URL} (or pass --dry-run).`);
  } else if (pushgatewayUrl !== '') {
    const problem = pushgatewayUrlProblem(pushgatewayUrl);
    if (problem) problems.push(`${MonitorEnv.pushgatewayUrl} ${problem}`);
  }
  const settings = {
    expiryDir: expiryDir ?? '',
    pushgatewayUrl,
    timeoutMs: readEnvInteger(env, MonitorEnv.pushTimeoutMs, { fallback: DEFAULT_PUSH_TIMEOUT_MS, max: MAX_PUSH_TIMEOUT_MS }, problems),
    attempts: readEnvInteger(env, MonitorEnv.pushAttempts, { fallback: DEFAULT_PUSH_ATTEMPTS, max: MAX_PUSH_ATTEMPTS }, problems),
    backoffMs: readEnvInteger(env, MonitorEnv.pushBackoffMs, { fallback: DEFAULT_PUSH_BACKOFF_MS, max: MAX_PUSH_BACKOFF_MS }, problems),
    dryRun,
  };
  if (problems.length > 0) throw new ScriptInputError(problems);
  return settings;
}
