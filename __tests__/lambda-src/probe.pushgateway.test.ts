import { Metrics, MONITOR_JOB, PROBE_JOB, ProbeMetrics } from '../../lambda-src/contract';
import { TOKEN_SHAPED } from '../../inventory/token-shape';
import { runProbe } from '../../lambda-src/probe';
import { ConfigMapMount } from '../../devkit/configmap-mount';
import { parseExposition, Sample } from '../helpers/exposition';
import { makeToken, startFakeApi } from '../helpers/fake-anthropic-api';
import { RunningBinary, startPushgateway, stopAllBinaries } from '../../devkit/real-binaries';
import { runShippedMonitor, runShippedProbe } from '../helpers/shipped-monitor';

describe('the shipped probe against a real Pushgateway', () => {
  let gateway: RunningBinary;
  beforeAll(async () => {
    gateway = await startPushgateway();
  });
  afterAll(stopAllBinaries);

  const groupOf = async (job: string): Promise<Sample[]> =>
    parseExposition(await (await fetch(`${gateway.url}/metrics`)).text()).filter((sample) => sample.labels.job === job && !sample.name.startsWith('push_'));

  test('pushes a state set per token to its own group, leaving the monitor group intact, and never shows a token', async () => {
    const expiryMount = new ConfigMapMount({ primary: '1808064429', 'spare-1': '1808064280' });
    const [primary, spare] = [makeToken(), makeToken()];
    const api = await startFakeApi(new Map([[primary, 'valid-setup-token'], [spare, 'revoked']]));
    // A Secret volume looks like a ConfigMap volume: ..data, a timestamped directory, one link per key.
    const tokenMount = new ConfigMapMount({ primary, 'spare-1': `${spare}\n` });
    try {
      expect((await runShippedMonitor({ TOKEN_EXPIRY_DIR: expiryMount.dir, PUSHGATEWAY_URL: gateway.url })).code).toBe(0);
      const monitorGroup = await groupOf(MONITOR_JOB);
      expect(monitorGroup.filter((sample) => sample.name === Metrics.expiryTimestamp.name)).toHaveLength(2);

      const run = await runShippedProbe({ TOKEN_DIR: tokenMount.dir, PUSHGATEWAY_URL: gateway.url, PROBE_ENDPOINT: api.url, PROBE_TIMEOUT_MS: '2000' });
      expect(run.code).toBe(0);
      expect(run.log).toMatchObject({
        level: 'info',
        event: 'probed',
        job: PROBE_JOB,
        tokens: [
          { path: 'primary', result: 'valid' },
          { path: 'spare-1', result: 'rejected', reason: 'revoked' },
        ],
      });
      for (const output of [run.stdout, run.stderr]) expect(output).not.toMatch(TOKEN_SHAPED);
      expect(api.requests.map((headers) => headers.authorization)).toEqual([`Bearer ${primary}`, `Bearer ${spare}`]);

      const probeGroup = await groupOf(PROBE_JOB);
      const state = Object.fromEntries(
        probeGroup.filter((sample) => sample.name === ProbeMetrics.result.name).map((sample) => [`${sample.labels.path}/${sample.labels.result}`, sample.value]),
      );
      expect(state).toEqual({
        'primary/valid': 1,
        'primary/rejected': 0,
        'primary/unknown': 0,
        'spare-1/valid': 0,
        'spare-1/rejected': 1,
        'spare-1/unknown': 0,
      });
      expect(probeGroup.filter((sample) => sample.name === ProbeMetrics.reason.name).map((sample) => sample.labels)).toEqual([
        expect.objectContaining({ path: 'spare-1', reason: 'revoked' }),
      ]);
      expect(probeGroup.filter((sample) => sample.name === ProbeMetrics.lastRunTimestamp.name)).toHaveLength(1);
      expect(await groupOf(MONITOR_JOB)).toEqual(monitorGroup);
      const gatewayText = await (await fetch(`${gateway.url}/metrics`)).text();
      expect(gatewayText).not.toMatch(TOKEN_SHAPED);
    } finally {
      await api.close();
      expiryMount.remove();
      tokenMount.remove();
    }
  });

  test('refuses a plain-http endpoint off loopback before sending anything', async () => {
    const tokenMount = new ConfigMapMount({ primary: makeToken() });
    try {
      const run = await runShippedProbe({ TOKEN_DIR: tokenMount.dir, PUSHGATEWAY_URL: gateway.url, PROBE_ENDPOINT: 'http://api.example.test/api/oauth/profile' });
      expect(run.code).toBe(1);
      expect(run.log.error).toMatch(/is not https \(plain http is allowed on loopback only\)/);
      expect(run.stderr).not.toMatch(TOKEN_SHAPED);
    } finally {
      tokenMount.remove();
    }
  });

  test('settings are all checked before any token is read or sent: no gateway URL, a timeout past its cap', async () => {
    const token = makeToken();
    const tokenMount = new ConfigMapMount({ primary: token, [token]: 'x' });
    try {
      const lines: string[] = [];
      const code = await runProbe({ env: { TOKEN_DIR: tokenMount.dir, PROBE_TIMEOUT_MS: '2147483648' }, log: (line) => lines.push(line) });
      expect(code).toBe(1);
      const log = JSON.parse(lines[0]);
      expect(log.error).toContain('PUSHGATEWAY_URL is not set: point it at the Pushgateway');
      expect(log.error).toContain('PROBE_TIMEOUT_MS="2147483648" must be a whole number from 1 to 60000.');

      lines.length = 0;
      expect(await runProbe({ env: { TOKEN_DIR: tokenMount.dir, PUSHGATEWAY_URL: gateway.url }, log: (line) => lines.push(line) })).toBe(1);
      expect(lines[0]).toContain('sk-ant-oat01-…(redacted, 108 chars)'); // a token-named file in the mount, named without its secret
      expect(lines.join('\n')).not.toContain(token.slice(13, 30));
    } finally {
      tokenMount.remove();
    }
  });
});
