import { startEso } from '../../devkit/cluster/eso';
import { HostKubelet } from '../../devkit/cluster/host-kubelet';
import { startKwok } from '../../devkit/cluster/kwok';
import { LocalCluster } from '../../devkit/cluster/local-cluster';
import { kubernetesLogin } from '../../devkit/cluster/openbao';
import { RunOutcome, waitFor } from '../../devkit/cluster/processes';
import { RunningBinary, startPushgateway, stopAllBinaries } from '../../devkit/real-binaries';
import { nowInSeconds, TOKEN_TTL_SECONDS } from '../../inventory/expiry';
import { runTokensInProject } from '../../tools/tokens';
import { makeToken, startFakeApi } from '../helpers/fake-anthropic-api';
import { agentStatefulSet, consumerPods, sample, secretValue } from './cluster-fixtures';

/**
 * Another team's cluster, for real: its own Vault layout (KV v2 at `kv`, the tokens in a folder
 * `platform/claude-agents`, field `token`, Kubernetes auth at `clusters/prod` with its own audience,
 * ESO running as `eso/eso-controller`), the agents a StatefulSet, and the least-privilege path (the
 * store of its own, logging in with this project's role). Install, drift detection and a rotation
 * all reach exactly that layout in OpenBao.
 */
const STACK = 'claude-agent-service';
const AUTH_MOUNT = 'clusters/prod';
const AUDIENCE = 'https://openbao.platform.example';
const VAULT = {
  mount: 'kv',
  baseName: 'platform/claude-agents',
  spareSeparator: '/',
  field: 'token',
  authMount: AUTH_MOUNT,
  audience: AUDIENCE,
  esoServiceAccount: { namespace: 'eso', name: 'eso-controller' },
};
const SECRET_NAMES = { primary: 'platform/claude-agents', 'spare-1': 'platform/claude-agents/spare-1', 'spare-2': 'platform/claude-agents/spare-2' };
const AGENTS = { namespace: 'claude-agent', name: 'claude-agents', selector: 'app=claude-agents' };

describe('a team’s own Vault layout and a StatefulSet of agents, through the store of its own', () => {
  let local: LocalCluster;
  let kubelet: HostKubelet;
  let pushgateway: RunningBinary;
  let api: Awaited<ReturnType<typeof startFakeApi>>;
  const outcome = new RunOutcome();
  const tokens = { primary: makeToken(), 'spare-1': makeToken(), 'spare-2': makeToken() };
  const newToken = makeToken();
  const settings = () => ({
    vault: VAULT,
    agentWorkload: { statefulSet: AGENTS.name },
    legacyCredentialsFile: false,
    clusterSecretStoreServer: local.bao.address,
    driftDetection: { vaultServer: local.bao.address },
  });

  beforeAll(outcome.track(async () => {
    pushgateway = await startPushgateway();
    api = await startFakeApi(new Map([[newToken, 'valid-login']]));
    local = await LocalCluster.start({ scheduler: true });
    await startKwok(local.cluster, { completeJobPods: false });
    await local.installPrerequisites({ authMount: AUTH_MOUNT });
    local.cluster.kubectl(['create', 'namespace', 'eso']);
    local.cluster.kubectl(['create', 'serviceaccount', 'eso-controller', '-n', 'eso']);
    expect((await local.bao.api('POST', 'sys/mounts/kv', { type: 'kv', options: { version: '2' } })).status).toBe(204);
    for (const [tokenPath, name] of Object.entries(SECRET_NAMES)) {
      expect((await local.bao.api('POST', `kv/data/${name}`, { data: { token: tokens[tokenPath as keyof typeof tokens] } })).status).toBe(200);
    }
    expect((await local.bao.api('POST', 'kv/data/platform/someone-else', { data: { token: 'not-for-eso' } })).status).toBe(200);
    await startEso(local.cluster);
    kubelet = new HostKubelet(local.cluster, { PUSHGATEWAY_URL: pushgateway.url });
    kubelet.start();
    local.cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(agentStatefulSet({ namespace: AGENTS.namespace, name: AGENTS.name, secret: 'claude-oauth-token', replicas: 2 })) });
    local.synth(settings());
    for (const stack of ['vault-access', STACK]) await local.tofuOk(stack, ['init', '-input=false']);
  }), 300_000);

  afterAll(async () => {
    await kubelet?.stop();
    if (outcome.failed) local?.keepForInspection();
    await local?.stop();
    await api?.close();
    await stopAllBinaries();
  }, 60_000);

  test('vault-access applies at that auth mount: its store turns Valid, and its role reads exactly the map’s secrets, only with that audience', outcome.track(async () => {
    await local.tofuOk('vault-access', ['apply', '-input=false', '-auto-approve']);
    await waitFor(
      'the store of its own Valid',
      () => (local.cluster.kubectl(['get', 'clustersecretstore', 'claude-oauth-tokens-vault', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'], { allowFailure: true }).stdout === 'True' ? true : undefined),
      60_000,
      () => local.cluster.kubectl(['get', 'clustersecretstore', 'claude-oauth-tokens-vault', '-o', 'yaml'], { allowFailure: true }).stdout,
    );
    const login = await kubernetesLogin(local.bao, 'claude-agent-service-eso', local.serviceAccountToken('eso', 'eso-controller', AUDIENCE), AUTH_MOUNT);
    expect(login.status).toBe(200);
    for (const name of Object.values(SECRET_NAMES)) expect((await local.bao.api('GET', `kv/data/${name}`, undefined, login.token)).status).toBe(200);
    expect((await local.bao.api('GET', 'kv/data/platform/someone-else', undefined, login.token)).status).toBe(403);
    const otherAudience = await kubernetesLogin(local.bao, 'claude-agent-service-eso', local.serviceAccountToken('eso', 'eso-controller', 'vault'), AUTH_MOUNT);
    expect(otherAudience.status).toBe(403);
    expect((await local.tofu('vault-access', ['plan', '-input=false', '-detailed-exitcode'])).status).toBe(0);
  }));

  test('the agents’ stack applies: ESO fills the Secret from kv/platform/claude-agents, and the monitor reads every secret’s metadata there', outcome.track(async () => {
    await local.tofuOk(STACK, ['apply', '-input=false', '-auto-approve']);
    await waitFor('the agents’ Secret synced', () => (secretValue(local.cluster, AGENTS.namespace, 'claude-oauth-token', 'CLAUDE_CODE_OAUTH_TOKEN') === tokens.primary ? true : undefined), 30_000);
    expect(kubelet.runsOf('claude-oauth-expiry-monitor-').map((run) => run.status)).toEqual([0]);
    const metrics = await (await fetch(`${pushgateway.url}/metrics`)).text();
    for (const tokenPath of Object.keys(SECRET_NAMES)) expect({ tokenPath, success: sample(metrics, 'claude_oauth_token_vault_check_success', tokenPath) }).toEqual({ tokenPath, success: 1 });
    expect(kubelet.runsOf('claude-oauth-token-restart-').map((run) => run.status)).toEqual([0]);
    expect((await local.tofu(STACK, ['plan', '-input=false', '-detailed-exitcode'])).status).toBe(0);
  }));

  test('rotation: rotate --store writes the team’s secret and field; the deploy moves the StatefulSet’s pods onto the new token', outcome.track(async () => {
    const before = consumerPods(local.cluster, AGENTS.namespace, AGENTS.selector);
    expect(before.length).toBeGreaterThan(0);
    let output = '';
    const status = await runTokensInProject(['rotate', 'primary', '--store', '--endpoint', api.url, '--minted-at', String(nowInSeconds() - 600)], {
      projectDir: local.app.dir,
      stdout: (text) => (output += text),
      stderr: (text) => (output += text),
      stdin: () => newToken,
      now: nowInSeconds,
      env: { VAULT_ADDR: local.bao.address, VAULT_TOKEN: local.bao.rootToken },
    });
    expect({ status, output }).toEqual({ status: 0, output: expect.stringContaining('Stored the token in Vault at kv/platform/claude-agents') });
    const stored = await local.bao.api('GET', 'kv/data/platform/claude-agents');
    expect((stored.body.data as { data: Record<string, string> }).data).toEqual({ token: newToken });

    local.synth(settings());
    await local.tofuOk(STACK, ['apply', '-input=false', '-auto-approve']);
    expect(kubelet.runsOf('claude-oauth-token-restart-').map((run) => run.status)).toEqual([0, 0]);
    expect(secretValue(local.cluster, AGENTS.namespace, 'claude-oauth-token', 'CLAUDE_CODE_OAUTH_TOKEN')).toBe(newToken);
    const after = consumerPods(local.cluster, AGENTS.namespace, AGENTS.selector);
    expect(after.filter((pod) => before.includes(pod))).toEqual([]);
    expect(after.length).toBeGreaterThan(0);
    const metrics = await (await fetch(`${pushgateway.url}/metrics`)).text();
    expect(sample(metrics, 'claude_oauth_token_secret_minted_timestamp', 'primary')).toBe(sample(metrics, 'claude_oauth_token_expiry_timestamp', 'primary') - TOKEN_TTL_SECONDS);
    expect((await local.tofu(STACK, ['plan', '-input=false', '-detailed-exitcode'])).status).toBe(0);
  }));
});
