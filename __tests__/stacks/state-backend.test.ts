import { AppCopy } from '../../devkit/app-copy';

const STACKS = ['monitoring', 'vault-access', 'claude-agent-service'];

describe('stateBackend: one state per stack, where the team keeps state, credentials from the environment only', () => {
  let app: AppCopy;
  beforeAll(() => {
    app = new AppCopy();
  });
  afterAll(() => app.remove());
  const backendsWith = (stateBackend: unknown) => {
    const run = app.synth({ CDKTF_CONTEXT_JSON: JSON.stringify({ stateBackend }) });
    expect(run.stderr).not.toMatch(/wrong|failed/);
    expect(run.status).toBe(0);
    return Object.fromEntries(STACKS.map((stack) => [stack, app.stackJson(stack).terraform.backend]));
  };

  test.each([
    [{ type: 'local' }, (stack: string) => ({ local: { path: `../../../terraform.${stack}.tfstate` } })],
    // terragrunt's PostgreSQL backend, as on the cluster this project was made for: PG_CONN_STR from the environment.
    [{ type: 'pg', schemaPrefix: 'claude_oauth_tokens_' }, (stack: string) => ({ pg: { schema_name: `claude_oauth_tokens_${stack.replace(/-/g, '_')}` } })],
    [{ type: 's3', bucket: 'tf-state', keyPrefix: 'claude-oauth-tokens/', region: 'eu-west-1' }, (stack: string) => ({ s3: { bucket: 'tf-state', key: `claude-oauth-tokens/${stack}.tfstate`, region: 'eu-west-1', encrypt: true } })],
    [
      { type: 'http', address: 'https://state.example.test/claude-oauth-tokens/' },
      (stack: string) => ({ http: { address: `https://state.example.test/claude-oauth-tokens/${stack}`, lock_address: `https://state.example.test/claude-oauth-tokens/${stack}`, unlock_address: `https://state.example.test/claude-oauth-tokens/${stack}` } }),
    ],
  ])('%j', (setting, expected) => {
    const backends = backendsWith(setting);
    for (const stack of STACKS) expect(backends[stack]).toEqual(expected(stack));
  });

  test.each([
    [{ type: 'pg', schemaPrefix: 'x_', connStr: 'postgres://admin:s3cret@db/tf' }, /stateBackend\.connStr is not a setting here/],
    [{ type: 'http', address: 'https://admin:s3cret@state.example.test/tf/' }, /holds a user or password in its URL/],
    [{ type: 's3', bucket: 'tf-state', keyPrefix: 'x/', region: 'eu-west-1', secret_key: 'abc' }, /stateBackend\.secret_key is not a setting here/],
    [{ type: 'gcs' }, /write \{"type": "local"\}, .*Credentials come from the environment, never from here\./],
  ])('refuses %j (credentials belong in the environment), never echoing a password', (stateBackend, message) => {
    const run = app.synth({ CDKTF_CONTEXT_JSON: JSON.stringify({ stateBackend }) });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toContain('s3cret');
  });
});

describe('examples/viktorbarzin-infra/cdktf.json: the settings for the cluster this project was made for', () => {
  test('synthesizes: adoption, PostgreSQL state, drift detection over in-cluster http, and the restart Job for all four consumers', () => {
    const app = new AppCopy();
    try {
      app.write('cdktf.json', app.read('examples/viktorbarzin-infra/cdktf.json'));
      const run = app.synth();
      expect(run.status).toBe(0);
      const agents = app.stackJson('claude-agent-service');
      expect(agents.terraform.backend).toEqual({ pg: { schema_name: 'claude_oauth_tokens_claude_agent_service' } });
      expect(agents.import).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'claude-agent/claude-oauth-expiry-monitor' })]));
      const job = Object.values<any>(agents.resource.kubernetes_job_v1).find((candidate) => candidate.metadata.name.startsWith('claude-oauth-token-restart-'));
      const env = Object.fromEntries(job.spec.template.spec.container[0].env.map((v: any) => [v.name, v.value]));
      expect(JSON.parse(env.RESTART_TARGETS).map((target: any) => `${target.workload.namespace}/${target.workload.name}${target.reloader ? ' (reloader)' : ''}`)).toEqual([
        'claude-agent/claude-agent-service',
        'claude-breakglass/claude-breakglass',
        'hermes-agent/hermes-agent (reloader)',
        't3-afk/t3-afk',
      ]);
      const monitor = Object.values<any>(agents.resource.kubernetes_cron_job_v1)[0];
      const monitorEnv = Object.fromEntries(monitor.spec.job_template.spec.template.spec.container[0].env.map((v: any) => [v.name, v.value]));
      expect(monitorEnv.VAULT_ADDR).toBe('http://vault-active.vault.svc.cluster.local:8200');
    } finally {
      app.remove();
    }
  });
});
