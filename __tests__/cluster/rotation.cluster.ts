import * as path from 'path';
import { EPOCH_MAP_FILE } from '../../devkit/app-copy';
import { applyVaultStore, startEso } from '../../devkit/cluster/eso';
import { HostKubelet } from '../../devkit/cluster/host-kubelet';
import { startKwok } from '../../devkit/cluster/kwok';
import { LocalCluster } from '../../devkit/cluster/local-cluster';
import { RunOutcome, waitFor } from '../../devkit/cluster/processes';
import { RunningBinary, startPushgateway, stopAllBinaries } from '../../devkit/real-binaries';
import { nowInSeconds, TOKEN_TTL_SECONDS } from '../../inventory/expiry';
import { runTokens } from '../../tools/tokens';
import { makeToken, startFakeApi } from '../helpers/fake-anthropic-api';
import { checkAddresses, commitApp, consumerPods, sample, secretValue, serviceAccountKubectl, teamConsumer } from './cluster-fixtures';

/**
 * Rotation day end to end, for real: ESO (the real controller and its Vault provider) syncs the token
 * from OpenBao through this project's own role; `tokens rotate primary --store` writes OpenBao and the
 * map; the deploy re-syncs; the restart Job's script, run on the host as KWOK cannot run it (the
 * Job's pod status is what the script's exit says), moves every consumer. Only Anthropic's API is a
 * stand-in (rotate --store probes the new token).
 */
const STACK = 'claude-agent-service';

const CONSUMERS = [{ kind: 'StatefulSet', namespace: 'hermes', name: 'hermes-agent', externalSecret: 'hermes-agent-secrets' }];

describe('rotation day against ESO, OpenBao and a real API server', () => {
  let local: LocalCluster;
  let kubelet: HostKubelet;
  let pushgateway: RunningBinary;
  let api: Awaited<ReturnType<typeof startFakeApi>>;
  const outcome = new RunOutcome();
  const oldToken = makeToken();
  const newToken = makeToken();
  const legacy = `{"claudeAiOauth":{"accessToken":"${makeToken()}"}}`;

  beforeAll(outcome.track(async () => {
    pushgateway = await startPushgateway();
    api = await startFakeApi(new Map([[newToken, 'valid-login']]));
    local = await LocalCluster.start({ scheduler: true });
    await startKwok(local.cluster, { completeJobPods: false });
    await local.installPrerequisites();
    await startEso(local.cluster);
    kubelet = new HostKubelet(local.cluster, { PUSHGATEWAY_URL: pushgateway.url });
    kubelet.start();
    for (const tokenPath of ['claude-agent-service', 'claude-agent-service-spare-1', 'claude-agent-service-spare-2']) {
      const data = tokenPath === 'claude-agent-service' ? { claude_oauth_token: oldToken, claude_credentials_json: legacy } : { claude_oauth_token: makeToken() };
      expect((await local.bao.api('POST', `secret/data/${tokenPath}`, { data })).status).toBe(200);
    }
    local.cluster.kubectl(['create', 'deployment', 'claude-agent-service', '-n', 'claude-agent', '--image=docker.io/library/busybox:1.36']);
    local.cluster.kubectl(['create', 'deployment', 'bystander', '-n', 'claude-agent', '--image=docker.io/library/busybox:1.36']);
    teamConsumer(local.cluster, CONSUMERS[0]);
    local.synth({ tokenConsumers: CONSUMERS, driftDetection: { vaultServer: local.bao.address } });
    commitApp(local.app.dir, 'the reviewed app before rotation day');
    for (const stack of ['vault-access', STACK]) await local.tofuOk(stack, ['init', '-input=false']);
    await local.tofuOk('vault-access', ['apply', '-input=false', '-auto-approve']);
    await applyVaultStore(local.cluster, local.bao, { role: 'claude-agent-service-eso' });
  }), 300_000);

  afterAll(async () => {
    await kubelet?.stop();
    if (outcome.failed) local?.keepForInspection();
    await local?.stop();
    await api?.close();
    await stopAllBinaries();
  }, 60_000);

  test('the install: ESO copies the token into the agents’ Secret under CLAUDE_CODE_OAUTH_TOKEN, and the monitor’s deploy-time run pushes every expiry', outcome.track(async () => {
    await local.tofuOk(STACK, ['apply', '-input=false', '-auto-approve']);
    await waitFor('the agents’ Secret synced', () => (secretValue(local.cluster, 'claude-agent', 'claude-oauth-token', 'CLAUDE_CODE_OAUTH_TOKEN') === oldToken ? true : undefined), 30_000);
    expect(secretValue(local.cluster, 'claude-agent', 'claude-credentials', '.credentials.json')).toBe(legacy);
    expect(kubelet.runsOf('claude-oauth-expiry-monitor-').map((run) => run.status)).toEqual([0]);
    const metrics = await (await fetch(`${pushgateway.url}/metrics`)).text();
    for (const tokenPath of ['primary', 'spare-1', 'spare-2']) expect(metrics).toMatch(new RegExp(`claude_oauth_token_expiry_timestamp\\{[^}]*path="${tokenPath}"[^}]*\\} \\d`));
    // Drift detection, for real: the monitor logged in to OpenBao with its audience-bound token and read
    // each secret's metadata; written by hand (no minted_at), Vault's side is the time of that write.
    for (const tokenPath of ['primary', 'spare-1', 'spare-2']) expect(sample(metrics, 'claude_oauth_token_vault_check_success', tokenPath)).toBe(1);
    expect(sample(metrics, 'claude_oauth_token_secret_minted_timestamp', 'primary')).toBe(sample(metrics, 'claude_oauth_token_secret_updated_timestamp', 'primary'));
    const replan = await local.tofu(STACK, ['plan', '-input=false', '-detailed-exitcode']);
    expect({ status: replan.status, stderr: replan.stderr }).toEqual({ status: 0, stderr: '' });
  }));

  test('rotation: rotate --store, a plan of exactly what npm run check reported, apply; ESO re-syncs and the restart script moves every consumer', outcome.track(async () => {
    const before = { agents: consumerPods(local.cluster, 'claude-agent', 'app=claude-agent-service'), hermes: consumerPods(local.cluster, 'hermes', 'app=hermes-agent') };
    // Someone annotated the ExternalSecret by hand (another field manager now owns the field): the
    // plan shows nothing, and the rotation's apply must take the field back rather than fail.
    local.cluster.kubectl(['annotate', 'externalsecret', 'claude-oauth-token', '-n', 'claude-agent', '--overwrite', 'claude-oauth-tokens/primary-minted-at=1']);
    expect((await local.tofu(STACK, ['plan', '-input=false', '-detailed-exitcode'])).status).toBe(0);
    let output = '';
    // Minted an hour before it is stored: Vault's write time and the mint differ, so only the recorded
    // minted_at can make the monitor's figure equal the map's.
    const status = await runTokens(['rotate', 'primary', '--store', '--endpoint', api.url, '--minted-at', String(nowInSeconds() - 3600)], {
      stdout: (text) => (output += text),
      stderr: (text) => (output += text),
      stdin: () => newToken,
      now: nowInSeconds,
      epochMapFile: path.join(local.app.dir, EPOCH_MAP_FILE),
      env: { VAULT_ADDR: local.bao.address, VAULT_TOKEN: local.bao.rootToken },
    });
    expect({ status, output }).toEqual({ status: 0, output: expect.stringContaining('Stored the token in Vault at secret/claude-agent-service') });
    expect(output).not.toContain(newToken.slice(13));
    const stored = await local.bao.api('GET', 'secret/data/claude-agent-service');
    expect((stored.body.data as { data: Record<string, string> }).data).toEqual({ claude_oauth_token: newToken, claude_credentials_json: legacy });

    // What the reviewer read: npm run check on the rotation's diff, against the commit before it.
    const checked = await checkAddresses(local.app.dir);
    local.synth({ tokenConsumers: CONSUMERS, driftDetection: { vaultServer: local.bao.address } });
    await local.tofuOk(STACK, ['plan', '-input=false', '-detailed-exitcode', '-out=rotation.plan'], [2]);
    const shown = JSON.parse((await local.tofuOk(STACK, ['show', '-json', 'rotation.plan'])).stdout) as { resource_changes: { address: string; type: string; change: { actions: string[] } }[] };
    const planned = shown.resource_changes.filter((change) => change.change.actions.join() !== 'no-op');
    expect(planned.map((change) => change.address).sort()).toEqual(checked[STACK]);
    expect(Object.keys(checked)).toEqual([STACK]);
    const changes = planned.map((change) => `${change.type} ${change.change.actions.join('+')}`);
    // The expiry value, the ExternalSecret's mint annotation (ESO re-syncs on it), the CronJob's input
    // checksum; the monitor's run, the restart Job and the pod start check in front of them run again.
    expect(changes.sort()).toEqual(['kubernetes_config_map_v1 update', 'kubernetes_cron_job_v1 update', ...Array(3).fill('kubernetes_job_v1 delete+create'), 'kubernetes_manifest update']);
    expect(JSON.stringify(shown)).not.toContain(newToken);

    await local.tofuOk(STACK, ['apply', '-input=false', '-auto-approve', 'rotation.plan']);
    const restarts = kubelet.runsOf('claude-oauth-token-restart-');
    expect(restarts.map((run) => run.status)).toEqual([0, 0]);
    expect(restarts[1].stdout + restarts[1].stderr).not.toContain(newToken.slice(13));
    expect(secretValue(local.cluster, 'claude-agent', 'claude-oauth-token', 'CLAUDE_CODE_OAUTH_TOKEN')).toBe(newToken);
    expect(secretValue(local.cluster, 'hermes', 'hermes-agent-secrets', 'CLAUDE_CODE_OAUTH_TOKEN')).toBe(newToken);
    const after = { agents: consumerPods(local.cluster, 'claude-agent', 'app=claude-agent-service'), hermes: consumerPods(local.cluster, 'hermes', 'app=hermes-agent') };
    for (const consumer of ['agents', 'hermes'] as const) {
      expect({ consumer, stillRunning: after[consumer].filter((pod) => before[consumer].includes(pod)) }).toEqual({ consumer, stillRunning: [] });
      expect(after[consumer].length).toBeGreaterThan(0);
    }
    // rotate --store recorded the mint with the version it wrote: the monitor's run after the deploy
    // reads it from OpenBao, equal to the map's (so neither drift alert can fire), an hour before the write.
    const metrics = await (await fetch(`${pushgateway.url}/metrics`)).text();
    expect(sample(metrics, 'claude_oauth_token_secret_minted_timestamp', 'primary')).toBe(sample(metrics, 'claude_oauth_token_expiry_timestamp', 'primary') - TOKEN_TTL_SECONDS);
    expect(sample(metrics, 'claude_oauth_token_secret_updated_timestamp', 'primary') - sample(metrics, 'claude_oauth_token_secret_minted_timestamp', 'primary')).toBeGreaterThanOrEqual(3600);
    const replan = await local.tofu(STACK, ['plan', '-input=false', '-detailed-exitcode']);
    expect({ status: replan.status, stderr: replan.stderr }).toEqual({ status: 0, stderr: '' });
  }));

  test('a consumer that does not exist fails the deploy, its Job named and the consumer in the Job’s log; after the fix the next deploy re-runs it and succeeds', outcome.track(async () => {
    const ghost = { kind: 'Deployment', namespace: 'hermes', name: 'ghost-agent', externalSecret: 'hermes-agent-secrets' };
    local.synth({ tokenConsumers: [...CONSUMERS, ghost], driftDetection: { vaultServer: local.bao.address } });
    const failed = await local.tofu(STACK, ['apply', '-input=false', '-auto-approve']);
    expect(failed.status).toBe(1);
    expect(failed.stderr.replace(/\s+/g, ' ')).toMatch(/job: claude-agent\/claude-oauth-token-restart-[0-9a-f]{10} is in failed state/);
    const [run] = kubelet.runsOf('claude-oauth-token-restart-').slice(-1);
    expect(run.status).not.toBe(0);
    expect(run.stdout + run.stderr).toMatch(/ghost-agent/);

    local.cluster.kubectl(['create', 'deployment', 'ghost-agent', '-n', 'hermes', '--image=docker.io/library/busybox:1.36']);
    const retried = await local.tofuOk(STACK, ['apply', '-input=false', '-auto-approve']);
    expect(retried.stdout).toMatch(/kubernetes_job_v1\.restart-agents_job_\w+ is tainted, so it must be replaced/);
    expect(kubelet.runsOf('claude-oauth-token-restart-').slice(-1)[0].status).toBe(0);
    expect((await local.tofu(STACK, ['plan', '-input=false', '-detailed-exitcode'])).status).toBe(0);
  }));

  test('the restart ServiceAccount may patch only the workloads it lists: the API server refuses it the bystander', outcome.track(() => {
    const asRestartJob = serviceAccountKubectl(local.cluster, 'claude-agent', 'claude-oauth-token-restart');
    const allowed = asRestartJob(['rollout', 'restart', 'deployment/claude-agent-service', '-n', 'claude-agent']);
    expect(allowed.status).toBe(0);
    const refused = asRestartJob(['rollout', 'restart', 'deployment/bystander', '-n', 'claude-agent']);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/forbidden: User "system:serviceaccount:claude-agent:claude-oauth-token-restart" cannot (patch|get) resource "deployments"/);
  }));

  test('no token value, old or new, is in any log the suite keeps (the processes\', the scripts\' runs)', outcome.track(() => {
    const logs = local.logs();
    expect(logs).toMatch(/claude-oauth-token-restart/);
    for (const token of [oldToken, newToken]) expect(logs.includes(token) || logs.includes(token.slice(13))).toBe(false);
  }));
});
