import { spawn } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { RESTARTED_AT_ANNOTATION, SYNC_REQUESTED_ANNOTATION } from '../../lambda-src/contract';
import { runRestart } from '../../lambda-src/restart-agents';
import { ClaudeAgentServiceStack } from '../../stacks/claude-agent-service/claude-agent-service-stack';
import { FakeKubernetesOptions, startFakeKubernetes } from '../helpers/fake-kubernetes-api';
import { testInventory } from '../helpers/inventory';
import { asTerraformReads, resourcesOfType, synthStack, testApp } from '../helpers/synth';
import { testScripts } from '../helpers/scripts';

const SA_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.restart-job-service-account.test';

describe('the restart Job against a Kubernetes API stand-in', () => {
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(path.join(tmpdir(), 'restart-'));
    writeFileSync(path.join(scratch, 'token'), `${SA_TOKEN}\n`);
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  async function run(options: FakeKubernetesOptions = {}, env: Record<string, string> = {}) {
    const api = await startFakeKubernetes(options);
    const lines: string[] = [];
    try {
      const started = Date.now();
      const code = await runRestart({
        env: {
          K8S_API_URL: api.url,
          K8S_TOKEN_FILE: path.join(scratch, 'token'),
          AGENT_NAMESPACE: 'claude-agent',
          TOKEN_EXTERNAL_SECRET: 'claude-oauth-token',
          AGENT_DEPLOYMENT: 'claude-agent-service',
          POLL_INTERVAL_MS: '50',
          SYNC_TIMEOUT_MS: '3000',
          ROLLOUT_TIMEOUT_MS: '3000',
          ...env,
        },
        log: (line) => lines.push(line),
      });
      return { code, log: JSON.parse(lines[0]), lines, api, started };
    } finally {
      await api.close();
    }
  }

  test('asks ESO to sync, waits for a sync newer than its start, then restarts the Deployment and waits for the rollout', async () => {
    const { code, log, api, started } = await run();
    expect(code).toBe(0);
    expect(log).toMatchObject({ level: 'info', event: 'restarted', namespace: 'claude-agent', external_secret: 'claude-oauth-token', deployment: 'claude-agent-service', replicas: 1 });
    expect(Date.parse(log.synced_at)).toBeGreaterThanOrEqual(Math.floor(started / 1000) * 1000);
    const calls = api.requests.map((request) => `${request.method} ${request.path}`);
    // The order is the point: no restart before ESO has the new token in the Secret.
    const firstDeploymentPatch = calls.indexOf(`PATCH ${api.deployPath}`);
    expect(calls[0]).toBe(`PATCH ${api.esPath}`);
    expect(calls.slice(1, firstDeploymentPatch).every((call) => call === `GET ${api.esPath}`)).toBe(true);
    expect(calls.slice(firstDeploymentPatch + 1).every((call) => call === `GET ${api.deployPath}`)).toBe(true);
    expect(api.requests.find((request) => request.path === api.esPath && request.method === 'PATCH')!.contentType).toBe('application/merge-patch+json');
    expect(api.requests.find((request) => request.path === api.deployPath && request.method === 'PATCH')!.contentType).toBe('application/strategic-merge-patch+json');
    const requestedAt = Date.parse(api.externalSecret.metadata.annotations[SYNC_REQUESTED_ANNOTATION]);
    expect(requestedAt).toBeGreaterThanOrEqual(started);
    expect(requestedAt).toBeLessThan(started + 1000);
    expect(api.deployment.spec.template.metadata.annotations[RESTARTED_AT_ANNOTATION]).toEqual(expect.any(String));
    expect(api.requests.every((request) => request.authorization === `Bearer ${SA_TOKEN}`)).toBe(true);
    expect(api.requests.some((request) => request.path.includes('/secrets'))).toBe(false); // never reads the Secret
  });

  test('ESO never syncs: exit 2 after the bound, the agents untouched', async () => {
    const { code, log, api } = await run({ sync: 'never' }, { SYNC_TIMEOUT_MS: '1000' });
    expect(code).toBe(2);
    expect(log).toMatchObject({ level: 'error', event: 'sync_timeout' });
    expect(log.error).toMatch(/ESO did not sync claude-oauth-token within 1s of this run's start .*the agents were not restarted/);
    expect(api.requests.some((request) => request.path === api.deployPath)).toBe(false);
  });

  test("ESO reports the sync failed: exit 2 at once with ESO's reason", async () => {
    const { code, log, api } = await run({ sync: 'error' });
    expect(code).toBe(2);
    expect(log).toMatchObject({ event: 'sync_failed' });
    expect(log.error).toContain('SecretSyncedError could not get secret data from provider');
    expect(api.requests.some((request) => request.method === 'PATCH' && request.path === api.deployPath)).toBe(false);
  });

  test('a rollout that does not finish: exit 3, naming the command to look', async () => {
    const { code, log } = await run({ rollout: 'stuck' }, { ROLLOUT_TIMEOUT_MS: '1000' });
    expect(code).toBe(3);
    expect(log).toMatchObject({ event: 'rollout_timeout' });
    expect(log.error).toContain('kubectl -n claude-agent rollout status deployment/claude-agent-service');
  });

  test('403 (a Role that does not cover the object) and 404 (a wrong name): exit 4 with the API\'s reason', async () => {
    const forbidden = await run({ forbidden: ['/apis/apps/v1/namespaces/claude-agent/deployments/claude-agent-service'] });
    expect(forbidden.code).toBe(4);
    expect(forbidden.log).toMatchObject({ event: 'api_403' });
    expect(forbidden.log.error).toMatch(/PATCH \/apis\/apps\/v1\/.*HTTP 403: .*forbidden.*\(the Job's Role allows exactly this object/);
    const missing = await run({}, { AGENT_DEPLOYMENT: 'claude-agents' });
    expect(missing.code).toBe(4);
    expect(missing.log).toMatchObject({ event: 'api_404' });
    expect(missing.log.error).toContain('(no such object: check the names in the settings)');
  });

  test('an API that never answers: exit 4 after the request timeout', async () => {
    const { code, log } = await run({ silent: true }, { K8S_REQUEST_TIMEOUT_MS: '500' });
    expect(code).toBe(4);
    expect(log).toMatchObject({ event: 'api_unreachable' });
    expect(log.error).toMatch(/no answer within 500 ms/);
  });

  test('bad settings: exit 1 naming each, nothing sent', async () => {
    const { code, log, api } = await run({}, { K8S_API_URL: 'http://kubernetes.example.test', AGENT_DEPLOYMENT: '', POLL_INTERVAL_MS: '0' });
    expect(code).toBe(1);
    expect(log.error).toContain('must be an https base URL (plain http on loopback only)');
    expect(log.error).toContain('AGENT_DEPLOYMENT is not set.');
    expect(log.error).toContain('POLL_INTERVAL_MS="0" must be a whole number from 1 to 60000.');
    expect(api.requests).toHaveLength(0);
  });

  describe('every consumer of the token moves to it', () => {
    // The cluster this project was made for: three more workloads read the same Vault field through
    // ExternalSecrets of their own, in their own namespaces; one of them runs Reloader.
    const agents = { externalSecret: { namespace: 'claude-agent', name: 'claude-oauth-token' }, workload: { kind: 'Deployment' as const, namespace: 'claude-agent', name: 'claude-agent-service' } };
    const breakglass = { externalSecret: { namespace: 'claude-agent', name: 'claude-breakglass-secrets' }, workload: { kind: 'Deployment' as const, namespace: 'claude-agent', name: 'claude-breakglass' } };
    const hermes = { externalSecret: { namespace: 'hermes', name: 'hermes-agent-secrets' }, workload: { kind: 'Deployment' as const, namespace: 'hermes', name: 'hermes-agent' }, reloader: true };
    const t3 = { externalSecret: { namespace: 'hermes', name: 't3-afk-secrets' }, workload: { kind: 'StatefulSet' as const, namespace: 'hermes', name: 't3-afk' } };
    const targets = JSON.stringify([agents, breakglass, hermes, t3]);

    test('syncs each ExternalSecret, restarts each workload (StatefulSet too) and waits for each; a Reloader one is only synced', async () => {
      const { code, log, api } = await run({ others: [breakglass, hermes, t3] }, { RESTART_TARGETS: targets });
      expect(code).toBe(0);
      expect(log).toMatchObject({ event: 'restarted', deployment: 'claude-agent-service' });
      expect(log.consumers).toEqual([
        { consumer: 'Deployment claude-agent/claude-agent-service', moved: true },
        { consumer: 'Deployment claude-agent/claude-breakglass', moved: true },
        { consumer: 'Deployment hermes/hermes-agent', moved: true, reloader: true },
        { consumer: 'StatefulSet hermes/t3-afk', moved: true },
      ]);
      const patched = api.requests.filter((request) => request.method === 'PATCH').map((request) => request.path);
      expect(patched.filter((path) => path.includes('/externalsecrets/')).sort()).toEqual([
        '/apis/external-secrets.io/v1/namespaces/claude-agent/externalsecrets/claude-breakglass-secrets',
        '/apis/external-secrets.io/v1/namespaces/claude-agent/externalsecrets/claude-oauth-token',
        '/apis/external-secrets.io/v1/namespaces/hermes/externalsecrets/hermes-agent-secrets',
        '/apis/external-secrets.io/v1/namespaces/hermes/externalsecrets/t3-afk-secrets',
      ]);
      expect(patched.filter((path) => path.startsWith('/apis/apps/')).sort()).toEqual([
        '/apis/apps/v1/namespaces/claude-agent/deployments/claude-agent-service',
        '/apis/apps/v1/namespaces/claude-agent/deployments/claude-breakglass',
        '/apis/apps/v1/namespaces/hermes/statefulsets/t3-afk',
      ]);
      expect(api.extraWorkloads.get('/apis/apps/v1/namespaces/hermes/statefulsets/t3-afk').status.currentRevision).toBe('r2');
    });

    test('a consumer that does not move fails the run naming it, after every other consumer was still moved', async () => {
      const { code, log, api } = await run({ others: [breakglass, hermes, t3], stuck: ['/apis/apps/v1/namespaces/hermes/statefulsets/t3-afk'] }, { RESTART_TARGETS: targets, ROLLOUT_TIMEOUT_MS: '500' });
      expect(code).toBe(3);
      expect(log).toMatchObject({ level: 'error', event: 'rollout_timeout', not_moved: ['StatefulSet hermes/t3-afk'] });
      expect(log.error).toContain('StatefulSet hermes/t3-afk: t3-afk did not finish rolling out within 0.5s');
      expect(log.error).toContain('kubectl -n hermes rollout status statefulset/t3-afk');
      expect(api.deployment.spec.template.metadata.annotations).toHaveProperty(['kubectl.kubernetes.io/restartedAt']);
    });

    test('a malformed RESTART_TARGETS is a settings error, nothing sent', async () => {
      const { code, log, api } = await run({}, { RESTART_TARGETS: JSON.stringify([{ externalSecret: { namespace: 'x', name: 'Bad Name' }, workload: { kind: 'DaemonSet', namespace: 'x', name: 'y' } }]) });
      expect(code).toBe(1);
      expect(log.error).toContain('RESTART_TARGETS must be a non-empty list');
      expect(api.requests).toEqual([]);
    });
  });

  test('as shipped: the bundled restart.js of the synthesized ConfigMap, run by node, restarts the agents', async () => {
    const stack = new ClaudeAgentServiceStack(testApp(), 'claude-agent-service', { inventory: testInventory(), scripts: testScripts(), restartAgents: { agentWorkload: { kind: 'Deployment', name: 'claude-agent-service' } } });
    const scriptMap = resourcesOfType(synthStack(stack), 'kubernetes_config_map_v1').find((configMap) => 'restart.js' in configMap.data)!;
    const file = path.join(scratch, 'restart.js');
    writeFileSync(file, asTerraformReads(scriptMap.data['restart.js']));
    expect(scriptMap.data['restart.js']).not.toMatch(/require\("(cdktf|constructs|@cdktf\/)/);
    const api = await startFakeKubernetes();
    try {
      const child = spawn(process.execPath, [file], {
        env: { K8S_API_URL: api.url, K8S_TOKEN_FILE: path.join(scratch, 'token'), AGENT_NAMESPACE: 'claude-agent', TOKEN_EXTERNAL_SECRET: 'claude-oauth-token', AGENT_DEPLOYMENT: 'claude-agent-service', POLL_INTERVAL_MS: '50' },
      });
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr += chunk));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(JSON.parse(stderr.trim())).toMatchObject({ event: 'restarted' });
      expect(code).toBe(0);
    } finally {
      await api.close();
    }
  });
});
