import { EpochSeconds, nowInSeconds } from '../inventory/expiry';
import { redactSecrets } from '../inventory/token-shape';
import { DEFAULT_PROBE_BETA, DEFAULT_PROBE_ENDPOINT, DEFAULT_PROBE_TIMEOUT_MS, DEFAULT_PUSH_ATTEMPTS, DEFAULT_PUSH_BACKOFF_MS, DEFAULT_PUSH_TIMEOUT_MS, DEFAULT_PUSHGATEWAY_URL, MAX_PROBE_TIMEOUT_MS, ScriptExit, PATH_LABEL, PROBE_JOB, ProbeEnv, ProbeMetrics, REASON_LABEL, RESULT_LABEL } from './contract';
import { renderGauge } from './exposition';
import { ScriptInputError, readMountedTokenFiles } from './mounted-files';
import { readEnvInteger } from './env-number';
import { PushError, pushGroup, pushgatewayUrlProblem, redactUrl } from './pushgateway';
import { PROBE_RESULTS, ProbeOutcome, probeEndpointProblem, probeToken } from './token-probe';

export interface ProbeIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** One JSON line per run. */
  readonly log: (line: string) => void;
}

/** The probe's group: the result state set, the reason of any non-valid result, and the run time. */
export function renderProbeExposition(outcomes: ReadonlyArray<{ path: string; outcome: ProbeOutcome }>, ranAt: EpochSeconds): string {
  return [
    ...renderGauge(
      ProbeMetrics.result,
      outcomes.flatMap(({ path: tokenPath, outcome }) =>
        PROBE_RESULTS.map((result) => ({ labels: { [PATH_LABEL]: tokenPath, [RESULT_LABEL]: result }, value: outcome.result === result ? 1 : 0 })),
      ),
    ),
    ...renderGauge(
      ProbeMetrics.reason,
      outcomes.filter(({ outcome }) => outcome.reason).map(({ path: tokenPath, outcome }) => ({ labels: { [PATH_LABEL]: tokenPath, [REASON_LABEL]: outcome.reason! }, value: 1 })),
    ),
    ...renderGauge(ProbeMetrics.lastRunTimestamp, [{ value: ranAt }]),
    '',
  ].join('\n');
}

/** Token path -> token, from the mounted Secret. */
function readTokenDirectory(directory: string): Array<{ path: string; token: string }> {
  const { files, problems } = readMountedTokenFiles(directory, { label: 'token directory', fix: "mount the probe's Secret there." });
  if (problems.length === 0 && files.length === 0) problems.push(`the token directory ${directory} holds no tokens; check the probe's ExternalSecret.`);
  if (problems.length > 0) throw new ScriptInputError(problems);
  return files.map((file) => ({ path: file.path, token: file.text }));
}

/**
 * Checks every mounted token once against the endpoint and PUTs the probe's own group. Exit codes as
 * the monitor's: 0 pushed (whatever the results), 1 bad input, 2 push failed. Logs results, never tokens.
 */
export async function runProbe(io: ProbeIo): Promise<number> {
  const startedMs = Date.now();
  const log = (level: 'info' | 'error', fields: Record<string, unknown>) =>
    io.log(redactSecrets(JSON.stringify({ level, job: PROBE_JOB, ...fields, duration_ms: Date.now() - startedMs })));
  const env = io.env;
  const endpoint = env[ProbeEnv.endpoint] || DEFAULT_PROBE_ENDPOINT;
  const pushgatewayUrl = env[ProbeEnv.pushgatewayUrl] ?? '';
  const problems: string[] = [];
  if (!env[ProbeEnv.tokenDir]) problems.push(`${ProbeEnv.tokenDir} is not set: point it at the mounted token Secret.`);
  const endpointProblem = probeEndpointProblem(endpoint);
  if (endpointProblem) problems.push(endpointProblem);
  if (pushgatewayUrl === '') problems.push(`${ProbeEnv.pushgatewayUrl} is not set: point it at the Pushgateway, e.g. ${DEFAULT_PUSHGATEWAY_URL}.`);
  else if (pushgatewayUrlProblem(pushgatewayUrl)) problems.push(`${ProbeEnv.pushgatewayUrl} ${pushgatewayUrlProblem(pushgatewayUrl)}`);
  const timeoutMs = readEnvInteger(env, ProbeEnv.timeoutMs, { fallback: DEFAULT_PROBE_TIMEOUT_MS, max: MAX_PROBE_TIMEOUT_MS }, problems);
  let tokens: Array<{ path: string; token: string }>;
  try {
    if (problems.length > 0) throw new ScriptInputError(problems);
    tokens = readTokenDirectory(env[ProbeEnv.tokenDir]!);
  } catch (error) {
    log('error', { event: 'invalid_input', error: (error as Error).message, pushed: false });
    return ScriptExit.invalidInput;
  }

  const options = { endpoint, betaHeader: env[ProbeEnv.betaHeader] || DEFAULT_PROBE_BETA, timeoutMs };
  const outcomes: Array<{ path: string; outcome: ProbeOutcome }> = [];
  for (const { path: tokenPath, token } of tokens) outcomes.push({ path: tokenPath, outcome: await probeToken(token, options) });
  const results = outcomes.map(({ path: tokenPath, outcome }) => ({ path: tokenPath, result: outcome.result, reason: outcome.reason }));

  try {
    const pushed = await pushGroup({
      baseUrl: pushgatewayUrl,
      job: PROBE_JOB,
      body: renderProbeExposition(outcomes, nowInSeconds()),
      timeoutMs: DEFAULT_PUSH_TIMEOUT_MS,
      attempts: DEFAULT_PUSH_ATTEMPTS,
      backoffMs: DEFAULT_PUSH_BACKOFF_MS,
    });
    log('info', { event: 'probed', endpoint: new URL(endpoint).origin, pushgateway: redactUrl(pushgatewayUrl), attempts: pushed.attempts, tokens: results });
    return ScriptExit.ok;
  } catch (error) {
    if (!(error instanceof PushError)) throw error;
    log('error', { event: 'push_failed', attempts: error.attempts, error: error.message, tokens: results });
    return ScriptExit.pushFailed;
  }
}
