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
