import { randomBytes } from 'crypto';
import { LocalCluster } from '../../devkit/cluster/local-cluster';
import { kubernetesLogin } from '../../devkit/cluster/openbao';
import { RunOutcome } from '../../devkit/cluster/processes';
import { TOKEN_MINT_EPOCHS } from '../../stacks/claude-agent-service/token-mint-epochs';

/**
 * Steps 1 and 2 of a first install, for real: the synthesized stacks initialise with the providers
 * built from their release sources, validate, and plan against a real API server and OpenBao; the
 * vault-access stack applies, its policy lets ESO's ServiceAccount read exactly the map's tokens,
 * and the next plan is empty. docs/deploying.md's terraform-less lines, with `tofu`.
 */
const STACKS = ['monitoring', 'vault-access', 'claude-agent-service'] as const;
const ESO_ROLE = 'claude-agent-service-eso';

/** A token-shaped value made for this run (never a real token, never written to a fixture). */
function madeUpToken(): string {
  return `sk-ant-oat01-${randomBytes(72).toString('base64url').slice(0, 95)}`;
}

describe('a first install against a real API server and OpenBao', () => {
  let local: LocalCluster;
  const outcome = new RunOutcome();
  const tokens = Object.fromEntries(Object.keys(TOKEN_MINT_EPOCHS).map((path) => [path, madeUpToken()]));
  const vaultName = (path: string) => (path === 'primary' ? 'claude-agent-service' : `claude-agent-service-${path}`);

  beforeAll(outcome.track(async () => {
    local = await LocalCluster.start();
    local.synth();
    for (const [path, token] of Object.entries(tokens)) {
      const written = await local.bao.api('POST', `secret/data/${vaultName(path)}`, { data: { claude_oauth_token: token } });
      expect(written.status).toBe(200);
    }
    await local.bao.api('POST', 'secret/data/some-other-team', { data: { password: 'not-for-eso' } });
  }), 300_000);

  afterAll(async () => {
    if (outcome.failed) local?.keepForInspection();
    await local?.stop();
  }, 60_000);

  test.each(STACKS)('%s: tofu init (providers from the local mirror only) and validate succeed', outcome.track(async (stack) => {
    const init = await local.tofuOk(stack, ['init', '-input=false']);
    expect(init.stdout).toMatch(/OpenTofu has been successfully initialized/);
    await local.tofuOk(stack, ['validate']);
  }));

  test('before the prerequisites, each plan fails naming what is missing and how to fix it, and nothing is written', outcome.track(async () => {
    const expected = {
      monitoring: /Namespace monitoring does not exist in this cluster \(cdktf\.json: monitoringNamespace\)\. Create it \(kubectl create namespace monitoring\)/,
      'claude-agent-service': /Namespace claude-agent does not exist in this cluster \(cdktf\.json: namespace\)\. Create it \(kubectl create namespace claude-agent\), or set createNamespace to true/,
      // OpenBao words a missing mount as Vault does not ("No secret engine mount at auth/kubernetes/").
      'vault-access': /Error: error reading from Vault: .*(No secret engine mount|No auth engine|mount not found).* with data\.vault_auth_backend\.kubernetes_auth_mount/,
    };
    for (const stack of STACKS) {
      const apply = await local.tofu(stack, ['apply', '-input=false', '-auto-approve']);
      expect({ stack, status: apply.status }).toEqual({ stack, status: 1 });
      expect(apply.stderr.replace(/\s+/g, ' ')).toMatch(expected[stack]);
      expect(apply.stdout).not.toMatch(/Creation complete/);
    }
    expect((await local.bao.api('GET', 'sys/policies/acl/claude-agent-service-eso-read')).status).toBe(404);
    expect(local.cluster.kubectl(['get', 'configmaps', '-A', '-l', 'app.kubernetes.io/part-of=claude-oauth-tokens', '-o', 'name']).stdout).toBe('');
  }));

  describe('with the prerequisites in place', () => {
    beforeAll(outcome.track(() => local.installPrerequisites()), 120_000);

    test.each(STACKS)('%s: a plan against the empty cluster and OpenBao proposes only creations', outcome.track(async (stack) => {
      const plan = await local.tofuOk(stack, ['plan', '-input=false', '-detailed-exitcode', '-out=first.plan'], [2]);
      expect(plan.stdout).toMatch(/Plan: \d+ to add, 0 to change, 0 to destroy/);
      const shown = await local.tofuOk(stack, ['show', '-json', 'first.plan']);
      const changes = (JSON.parse(shown.stdout) as { resource_changes: { change: { actions: string[] } }[] }).resource_changes;
      expect(changes.length).toBeGreaterThan(0);
      expect(new Set(changes.flatMap((change) => change.change.actions))).toEqual(new Set(['create']));
    }));

    test('monitoring applies first, as docs/deploying.md orders the install, and the next plan is empty', outcome.track(async () => {
      await local.tofuOk('monitoring', ['apply', '-input=false', '-auto-approve']);
      const rules = JSON.parse(local.cluster.kubectl(['get', 'configmap', 'claude-oauth-token-rules', '-n', 'monitoring', '-o', 'json']).stdout) as { data: Record<string, string> };
      expect(Object.values(rules.data).join('\n')).toMatch(/ClaudeOAuthTokenExpiringSoon/);
      const replan = await local.tofu('monitoring', ['plan', '-input=false', '-detailed-exitcode']);
      expect({ status: replan.status, stderr: replan.stderr }).toEqual({ status: 0, stderr: '' });
    }));

    test('vault-access applies with the README\'s command (npm run deploy: the cdktf CLI driving tofu), and the next plan is empty', outcome.track(async () => {
      const deploy = await local.deploy(['vault-access']);
      if (deploy.status !== 0) throw new Error(`npm run deploy exited ${deploy.status}:\n${deploy.stdout.slice(-3000)}\n${deploy.stderr.slice(-3000)}`);
      expect(deploy.stdout).toMatch(/Apply complete! Resources: 2 added, 0 changed, 0 destroyed/);
      const replan = await local.tofu('vault-access', ['plan', '-input=false', '-detailed-exitcode']);
      expect({ status: replan.status, stderr: replan.stderr }).toEqual({ status: 0, stderr: '' });
    }));

    test("ESO's ServiceAccount (audience vault) reads exactly the map's tokens through the project's role", outcome.track(async () => {
      const login = await kubernetesLogin(local.bao, ESO_ROLE, local.serviceAccountToken('external-secrets', 'external-secrets', 'vault'));
      expect(login.status).toBe(200);
      expect(login.policies).toEqual(['claude-agent-service-eso-read']);
      for (const [path, token] of Object.entries(tokens)) {
        const read = await local.bao.api('GET', `secret/data/${vaultName(path)}`, undefined, login.token);
        expect({ path, status: read.status, same: (read.body.data as { data?: Record<string, string> })?.data?.claude_oauth_token === token }).toEqual({ path, status: 200, same: true });
      }
      for (const refused of ['secret/data/some-other-team', 'secret/metadata/claude-agent-service', 'secret/data/claude-agent-service-spare-9', 'sys/policies/acl/claude-agent-service-eso-read']) {
        expect({ refused, status: (await local.bao.api('GET', refused, undefined, login.token)).status }).toEqual({ refused, status: 403 });
      }
      const write = await local.bao.api('POST', 'secret/data/claude-agent-service', { data: { claude_oauth_token: 'x' } }, login.token);
      expect(write.status).toBe(403);
    }));

    test('OpenBao refuses the role to a wrong audience and to any other ServiceAccount', outcome.track(async () => {
      const wrongAudience = await kubernetesLogin(local.bao, ESO_ROLE, local.serviceAccountToken('external-secrets', 'external-secrets', 'not-vault'));
      expect(wrongAudience.status).toBe(403);
      local.cluster.kubectl(['create', 'serviceaccount', 'external-secrets', '-n', 'claude-agent']);
      const impostor = await kubernetesLogin(local.bao, ESO_ROLE, local.serviceAccountToken('claude-agent', 'external-secrets', 'vault'));
      expect(impostor.status).toBe(403);
    }));

    test('with no node to run pods, the agents’ deploy fails within its pod start bound, naming the check, and runs no other Job', outcome.track(async () => {
      // This cluster has no scheduler and no kubelet: no pod can start, as on a cluster with no room left.
      local.synth({ podStartTimeout: '30s' });
      const started = Date.now();
      const apply = await local.tofu('claude-agent-service', ['apply', '-input=false', '-auto-approve']);
      const seconds = (Date.now() - started) / 1000;
      expect(apply.status).toBe(1);
      expect(apply.stderr.replace(/\s+/g, ' ')).toMatch(/job: claude-agent\/claude-oauth-pod-start-check-[0-9a-f]{10} is in failed state/);
      expect(seconds).toBeLessThan(90);
      const jobs = local.cluster.kubectl(['get', 'jobs', '-n', 'claude-agent', '-o', 'name']).stdout.split('\n').filter(Boolean);
      expect(jobs).toEqual([expect.stringMatching(/^job\.batch\/claude-oauth-pod-start-check-/)]);
      const reason = local.cluster.kubectl(['get', jobs[0], '-n', 'claude-agent', '-o', 'jsonpath={.status.conditions[?(@.type=="Failed")].reason}']).stdout;
      expect(reason).toBe('DeadlineExceeded');
    }));

    test('no token value is in any plan or state', outcome.track(async () => {
      for (const stack of STACKS) {
        const shown = await local.tofuOk(stack, ['show', '-json', 'first.plan']);
        const state = local.stateText(stack);
        for (const token of Object.values(tokens)) {
          expect({ stack, inPlan: shown.stdout.includes(token), inState: state.includes(token) }).toEqual({ stack, inPlan: false, inState: false });
        }
      }
      expect(local.stateText('vault-access')).toMatch(/claude-agent-service-eso-read/);
    }));

    test('an auth mount of another kind at vault.authMount fails the plan, naming the setting and the fix', outcome.track(async () => {
      expect((await local.bao.api('POST', 'sys/auth/people', { type: 'userpass' })).status).toBe(204);
      local.synth({ vault: { authMount: 'people' } });
      const plan = await local.tofu('vault-access', ['plan', '-input=false']);
      expect(plan.status).toBe(1);
      expect(plan.stderr.replace(/\s+/g, ' ')).toMatch(/Vault's auth mount people is not a Kubernetes auth method \(cdktf\.json: vault\.authMount\)\. Enable one \(vault auth enable -path=people kubernetes;/);
      local.synth({ vault: { authMount: 'kubernetes' } });
    }));

    test('destroy removes what this project created and nothing else', outcome.track(async () => {
      expect((await local.bao.api('POST', 'sys/policies/acl/someone-elses', { policy: 'path "secret/data/x" { capabilities = ["read"] }' })).status).toBe(204);
      local.cluster.kubectl(['create', 'configmap', 'someone-elses', '-n', 'monitoring', '--from-literal=keep=me']);
      for (const stack of ['monitoring', 'vault-access']) await local.tofuOk(stack, ['destroy', '-input=false', '-auto-approve']);
      expect((await local.bao.api('GET', 'sys/policies/acl/claude-agent-service-eso-read')).status).toBe(404);
      expect((await local.bao.api('GET', `auth/kubernetes/role/${ESO_ROLE}`)).status).toBe(404);
      expect((await local.bao.api('GET', 'sys/policies/acl/someone-elses')).status).toBe(200);
      expect((await local.bao.api('GET', 'sys/auth')).body.data).toHaveProperty(['kubernetes/']);
      expect((await local.bao.api('GET', 'secret/data/claude-agent-service')).status).toBe(200);
      expect(local.cluster.kubectl(['get', 'configmaps', '-n', 'monitoring', '-o', 'name']).stdout.split('\n').filter(Boolean).sort()).toEqual(['configmap/kube-root-ca.crt', 'configmap/someone-elses']);
    }));

    test('no token value is in any log the suite keeps', outcome.track(() => {
      const logs = local.logs();
      expect(logs.length).toBeGreaterThan(1000);
      for (const token of Object.values(tokens)) expect(logs.includes(token)).toBe(false);
    }));
  });
});
