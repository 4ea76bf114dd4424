import { SECONDS_PER_DAY } from '../inventory/expiry';
import { AppCopy } from '../devkit/app-copy';
import { schemaViolations } from './helpers/crd-schemas';
import { makeToken } from './helpers/fake-anthropic-api';
import { promtool } from './helpers/promtool';
import { manifestsIn } from './helpers/synth';

/** What the hooks and the CI check look for; built here so that no such string is ever committed. */
const TOKEN_SHAPED = new RegExp(['sk', 'ant', '[a-z]{2,8}[0-9]{2}', '[A-Za-z0-9_-]{16,}'].join('-'));

/** What synth says of the shipped example, and nothing else: its tokens give no runway, its runbook URL is the placeholder. */
const EXAMPLE_WARNINGS =
  'WARNING: all 3 tokens expire within 3 minutes of each other (2027-04-18T16:04:40Z to 2027-04-18T16:07:09Z): when one enters the 30-day warning window the spares do too, so they give no runway. Re-mint the spares at staggered times (npm run tokens -- rotate <spare>).\n' +
  "WARNING: cdktf.json context.runbookUrl is still the placeholder https://github.com/your-org/claude-oauth-tokens/blob/main/docs/runbook.md: every alert links there. Set it to where your team reads docs/runbook.md (its sections are the alerts' runbooks).\n";

describe('npm run synth (main.ts)', () => {
  let app: AppCopy;
  beforeEach(() => {
    app = new AppCopy();
  });
  afterEach(() => app.remove());

  test('synthesizes both stacks offline and prints stacks, resources and the token table', () => {
    const run = app.synth();
    expect(run.stderr).toBe(EXAMPLE_WARNINGS);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(
      /claude-agent-service: 13 resources \(3 kubernetes_config_map_v1, 1 kubernetes_cron_job_v1, 3 kubernetes_job_v1, 2 kubernetes_manifest, 1 kubernetes_role_binding_v1, 1 kubernetes_role_v1, 2 kubernetes_service_account_v1\) -> cdktf\.out\/stacks\/claude-agent-service\/cdk\.tf\.json/,
    );
    expect(run.stdout).toMatch(/monitoring: \d+ resources? /);
    expect(run.stdout).toMatch(/^primary +secret\/claude-agent-service +2026-04-18T16:07:09Z +2027-04-18T16:07:09Z +-?\d+ +\w+$/m);
    expect(run.stdout).toMatch(/^spare-2 +secret\/claude-agent-service-spare-2 /m);
    // What next, and what the least-privilege role guards in this setup: said, not left to the docs.
    expect(run.stdout).toMatch(/\nNext: the prerequisites \(docs\/deploying\.md\), then: npm run deploy -- monitoring vault-access claude-agent-service$/m);
    expect(run.stdout).toContain("read through the team's store vault-kv, with that store's Vault role: vault-access's least-privilege policy guards them only through a store of its own");
    expect(app.synth({ CDKTF_CONTEXT_JSON: JSON.stringify({ clusterSecretStoreServer: 'https://vault.vault.svc:8200' }) }).stdout).not.toContain("the team's store");

    const agentService = app.stackJson('claude-agent-service');
    expect(manifestsIn(agentService).flatMap(schemaViolations)).toEqual([]);
    const expiryMap = Object.values(agentService.resource.kubernetes_config_map_v1).find((configMap: any) => configMap.metadata.name === 'claude-oauth-token-expiry');
    expect((expiryMap as any).data).toEqual({ primary: '1808064429', 'spare-1': '1808064280', 'spare-2': '1808064429' });
  });

  test('as its own process (the entry point): exit codes, stdout and stderr as a shell sees them', () => {
    const good = app.synthInChildProcess();
    expect({ status: good.status, stderr: good.stderr }).toEqual({ status: 0, stderr: EXAMPLE_WARNINGS });
    expect(good.stdout).toMatch(/^Synthesized stacks:\n {2}claude-agent-service: 13 resources/);
    expect(good.stdout).toContain('Plain Prometheus rules file: cdktf.out/prometheus-rules/claude-oauth-token-expiry.rules.yml');
    expect(app.stackJson('vault-access').resource.vault_policy).toBeDefined();

    app.writeEpochMapEntries(['primary: 1776528429000,']);
    const bad = app.synthInChildProcess();
    expect(bad.status).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/mint epoch 1776528429000 is in milliseconds[\s\S]*Nothing was synthesized; fix stacks\/claude-agent-service\/token-mint-epochs\.ts and run synth again\.\n$/);
    expect(bad.stderr).not.toMatch(/^\s+at /m);
  });

  test('the synth output holds no machine path, and a token pasted into a setting never reaches it', () => {
    expect(app.synth().status).toBe(0);
    const stackFiles = ['claude-agent-service', 'monitoring', 'vault-access'].map((stack) => `cdktf.out/stacks/${stack}/cdk.tf.json`);
    const outputs = () => [...stackFiles, 'cdktf.out/prometheus-rules/claude-oauth-token-expiry.rules.yml'].map((file) => app.read(file)).join('\n');
    const before = outputs();
    expect(before).not.toContain(app.dir);
    expect(before).not.toMatch(TOKEN_SHAPED);
    expect(app.stackJson('monitoring').terraform.backend).toEqual({ local: { path: '../../../terraform.monitoring.tfstate' } });

    // Each of these settings is copied into the output verbatim (the alerts' runbook links, the provider
    // block, the ExternalSecret): a token pasted there must be refused, not synthesized.
    const token = makeToken();
    for (const context of [{ runbookUrl: `https://wiki.example.org/${token}` }, { kubeContext: token }, { secretStoreName: token }, { prometheus: { mode: 'operator', selectorLabels: { release: token } } }]) {
      const run = app.synth({ CDKTF_CONTEXT_JSON: JSON.stringify(context) });
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/CDKTF_CONTEXT_JSON context\.\S+ holds a credential \(.*sk-ant-oat01-…\(redacted, 108 chars\).*\): settings are not secret/);
      expect(`${run.stdout}${run.stderr}`).not.toContain(token.slice(13));
      expect(outputs()).toBe(before);
    }
  });

  test.each([
    ['milliseconds', "primary: 1776528429000,", /'primary' \(stacks\/claude-agent-service\/token-mint-epochs\.ts:\d+\): mint epoch 1776528429000 is in milliseconds.*write seconds, 1776528429/],
    ['a fraction', 'primary: 1776528429.5,', /'primary' \(.*\): mint epoch 1776528429\.5 is not a whole number of seconds: write 1776528429\./],
    ['a date before 2025', 'primary: 1700000000,', /'primary' \(.*\): mint epoch 1700000000 \(2023-11-14T22:13:20Z\) is before 2025-01-01/],
    ['a future date', `primary: ${Math.floor(Date.now() / 1000) + 2 * SECONDS_PER_DAY},`, /'primary' \(.*\): mint epoch \d+ \(.*\) is in the future/],
    ['an invalid path', "primary: 1776528429,\n  'Primary Token': 1776528429,", /'Primary Token' \(.*:\d+\): is not a valid token path.*\(e\.g\. 'primary-token'\)/],
    ['a duplicate path', "primary: 1776528429,\n  'spare-1': 1776528280,\n  primary: 1776528280,", /'primary' is listed 2 times \(stacks\/claude-agent-service\/token-mint-epochs\.ts lines \d+, \d+\)/],
    ['two entries on one line', "'spare-2': 1776528429, primary: 1764000000,", /'spare-2' \(stacks\/claude-agent-service\/token-mint-epochs\.ts:\d+\): shares its line with other code or entries/],
    ['a syntax error', "primary: 1776528429,\n  'spare-1' 1776528280,", /stacks\/claude-agent-service\/token-mint-epochs\.ts:\d+:13: the file is not valid TypeScript \(Unexpected token\)/],
  ])('rejects %s: non-zero exit, the entry and the fix named, earlier output kept', (_case, entries, message) => {
    expect(app.synth().status).toBe(0);
    const before = app.read('cdktf.out/stacks/claude-agent-service/cdk.tf.json');

    app.writeEpochMapEntries(entries.split('\n').map((line) => line.trim()));
    const run = app.synth();
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toMatch(/Nothing was synthesized; fix stacks\/claude-agent-service\/token-mint-epochs\.ts and run synth again\./);
    expect(run.stderr).not.toMatch(/^\s+at /m); // a message for people, not a stack trace
    expect(app.read('cdktf.out/stacks/claude-agent-service/cdk.tf.json')).toBe(before);
  });

  test('bad settings in cdktf.json: every problem named with the file, key and fix, no stack trace, nothing written', () => {
    expect(app.synth().status).toBe(0);
    const before = app.read('cdktf.out/stacks/claude-agent-service/cdk.tf.json');
    const cdktfJson = JSON.parse(app.read('cdktf.json'));
    app.write('cdktf.json', JSON.stringify({ ...cdktfJson, context: { ...cdktfJson.context, tokenProbe: 'maybe', pushgateway: 'yes', legacyCredentialsFile: 'no' } }));
    const run = app.synth();
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('3 settings are wrong:');
    expect(run.stderr).toContain('cdktf.json context.tokenProbe is "maybe": write true or false');
    expect(run.stderr).toContain('cdktf.json context.pushgateway is "yes": write {"existingUrl"');
    expect(run.stderr).toContain('cdktf.json context.legacyCredentialsFile is "no": write true (from Vault), false (not delivered)');
    expect(run.stderr).toContain('Nothing was synthesized; fix the settings (docs/fitting-the-cluster.md, Settings) and run synth again.');
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(app.read('cdktf.out/stacks/claude-agent-service/cdk.tf.json')).toBe(before);

    app.write('cdktf.json', '{\n  "context": {\n    "tokenProbe": true,\n  }\n}\n');
    expect(app.synth().stderr).toMatch(/^ {2}- cdktf\.json:4:3: not valid JSON \(.+\); fix the syntax there\.$/m);
  });

  test("token delivery: a Secret of its own by default; 'shared' owns claude-agent-secrets whole; the legacy file is its own object", () => {
    const externalSecrets = () => Object.fromEntries(manifestsIn(app.stackJson('claude-agent-service')).map((manifest) => [manifest.metadata.name, manifest.spec]));
    expect(app.synth().status).toBe(0);
    expect(Object.keys(externalSecrets()).sort()).toEqual(['claude-credentials', 'claude-oauth-token']);
    expect(externalSecrets()['claude-oauth-token'].data.map((entry: any) => entry.secretKey)).toEqual(['CLAUDE_CODE_OAUTH_TOKEN']);
    expect(app.read('cdktf.out/prometheus-rules/claude-oauth-token-expiry.rules.yml')).toMatch(/externalsecret_status_condition\{[^}]*name=~"claude-oauth-token"/);

    // Shared mode without the other keys would own the agents' Secret whole and drop them: refused.
    const unlisted = app.synth({ CDKTF_CONTEXT_JSON: JSON.stringify({ tokenDelivery: 'shared' }) });
    expect(unlisted.status).toBe(1);
    expect(unlisted.stderr).toContain('tokenDelivery is "shared" but sharedSecretEntries is empty: this project would own claude-agent-secrets whole and remove every other key.');
    // The keys come from the setting, exactly those and no guess.
    const sharedSecretEntries = [
      { secretKey: 'GITHUB_TOKEN', key: 'viktor', property: 'github_pat' },
      { secretKey: 'WOODPECKER_API_TOKEN', key: 'ci/global', property: 'woodpecker_api_token' },
    ];
    expect(app.synth({ CDKTF_CONTEXT_JSON: JSON.stringify({ tokenDelivery: 'shared', sharedSecretEntries, legacyCredentialsFile: false, refreshInterval: '15m' }) }).status).toBe(0);
    const shared = externalSecrets();
    expect(Object.keys(shared)).toEqual(['claude-agent-secrets']);
    expect(shared['claude-agent-secrets'].refreshInterval).toBe('15m');
    expect(shared['claude-agent-secrets'].data).toEqual([
      { secretKey: 'CLAUDE_CODE_OAUTH_TOKEN', remoteRef: { key: 'claude-agent-service', property: 'claude_oauth_token' } },
      // The team's store for the agents' own keys (the token may read through a store of its own).
      { secretKey: 'GITHUB_TOKEN', remoteRef: { key: 'viktor', property: 'github_pat' }, sourceRef: { storeRef: { name: 'vault-kv', kind: 'ClusterSecretStore' } } },
      { secretKey: 'WOODPECKER_API_TOKEN', remoteRef: { key: 'ci/global', property: 'woodpecker_api_token' }, sourceRef: { storeRef: { name: 'vault-kv', kind: 'ClusterSecretStore' } } },
    ]);
  });

  test('expiryThresholds: the alert rules and the synth table use the same thresholds', () => {
    expect(app.synth({ CDKTF_CONTEXT_JSON: JSON.stringify({ expiryThresholds: { warningDays: 200, criticalDays: 10 } }) }).stdout).toMatch(/^primary .* \d+ +warning$/m);
    const rules = app.read('cdktf.out/prometheus-rules/claude-oauth-token-expiry.rules.yml');
    expect(rules).toContain('min by (path) (claude_oauth_token_expiry_timestamp) - time() < 200 * 86400');
    expect(rules).toContain('min by (path) (claude_oauth_token_expiry_timestamp) - time() < 10 * 86400');
  });

  test('an expired token still synthesizes, with a loud warning naming it', () => {
    // An hour short of 400 days, so that the seconds synth takes to start cannot tip the count to 36 days.
    const mintedAt = Math.floor(Date.now() / 1000) - 400 * SECONDS_PER_DAY + 3600;
    app.writeEpochMapEntries([`primary: ${Math.floor(Date.now() / 1000) - SECONDS_PER_DAY},`, `'spare-1': ${mintedAt},`]);
    const run = app.synth();
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/^WARNING: 'spare-1' \(stacks\/claude-agent-service\/token-mint-epochs\.ts:\d+\) EXPIRED at .* \(35 days ago\)/m);
    expect(run.stdout).toMatch(/^spare-1 .* expired$/m);
    expect(app.stackJson('claude-agent-service').resource.kubernetes_config_map_v1).toBeDefined();
  });

  test('reads its settings from cdktf.json context, which the cdktf CLI environment overrides', () => {
    const cdktfJson = JSON.parse(app.read('cdktf.json'));
    app.write('cdktf.json', JSON.stringify({ ...cdktfJson, context: { ...cdktfJson.context, legacyCredentialsFile: false, namespace: 'agents' } }));
    expect(app.synth().status).toBe(0);
    let [manifest] = manifestsIn(app.stackJson('claude-agent-service'));
    expect(manifest.metadata.namespace).toBe('agents');
    expect(manifest.spec.data.map((entry: any) => entry.secretKey)).toEqual(['CLAUDE_CODE_OAUTH_TOKEN']);

    expect(app.synth({ CDKTF_CONTEXT_JSON: JSON.stringify({ namespace: 'agents-canary', secretStoreName: 'vault-canary' }) }).status).toBe(0);
    [manifest] = manifestsIn(app.stackJson('claude-agent-service'));
    expect(manifest.metadata.namespace).toBe('agents-canary');
    expect(manifest.spec.secretStoreRef.name).toBe('vault-canary');
  });

  test("the monitor pushes where the monitoring stack's wiring says, and the plain rules file lands beside the stacks", () => {
    const cronJobEnv = () => {
      const cronJob: any = Object.values(app.stackJson('claude-agent-service').resource.kubernetes_cron_job_v1)[0];
      return Object.fromEntries(cronJob.spec.job_template.spec.template.spec.container[0].env.map((v: any) => [v.name, v.value]));
    };
    const run = app.synth();
    expect(run.status).toBe(0);
    expect(cronJobEnv().PUSHGATEWAY_URL).toBe('http://prometheus-prometheus-pushgateway.monitoring:9091');
    expect(run.stdout).toContain('Plain Prometheus rules file: cdktf.out/prometheus-rules/claude-oauth-token-expiry.rules.yml');
    expect(run.stdout).toContain('Rules ship as ConfigMap claude-oauth-token-rules in monitoring; the prometheus chart (release "prometheus") loads it once its values include cdktf.out/prometheus-rules/prometheus-chart-values.yaml');
    expect(app.read('cdktf.out/prometheus-rules/prometheus-chart-values.yaml')).toContain('extraVolumeDirs:');
    for (const stack of ['claude-agent-service', 'monitoring', 'vault-access']) expect(app.read(`cdktf.out/stacks/${stack}/cdk.tf.json`)).not.toContain('monitoring.coreos.com');
    const check = promtool(['check', 'rules', 'rules.yml'], { 'rules.yml': app.read('cdktf.out/prometheus-rules/claude-oauth-token-expiry.rules.yml') });
    expect(check.output).toContain('SUCCESS: 7 rules found');

    expect(app.synth({ CDKTF_CONTEXT_JSON: JSON.stringify({ pushgateway: { deploy: {} }, monitoringNamespace: 'observability' }) }).status).toBe(0);
    expect(cronJobEnv().PUSHGATEWAY_URL).toBe('http://claude-oauth-pushgateway.observability:9091');
    expect(Object.keys(app.stackJson('monitoring').resource)).toContain('helm_release');
    // cdktf deploy installs the Pushgateway before the monitor's deploy-time run pushes to it; with an
    // existing Pushgateway the agents' stack depends on nothing, so a rotation deploys it alone.
    const dependencies = () => JSON.parse(app.read('cdktf.out/manifest.json')).stacks['claude-agent-service'].dependencies;
    expect(dependencies()).toEqual(['monitoring']);
    expect(app.synth({ CDKTF_CONTEXT_JSON: JSON.stringify({ prometheus: { mode: 'operator', selectorLabels: { release: 'kps' } } }) }).status).toBe(0);
    expect(dependencies()).toEqual([]);
    const [rule] = manifestsIn(app.stackJson('monitoring'));
    expect(rule).toMatchObject({ kind: 'PrometheusRule', metadata: { labels: { release: 'kps' } } });
    expect(schemaViolations(rule)).toEqual([]);
  });

  test('drift detection: the monitor, its Vault role and the role ServiceAccount binding agree', () => {
    const run = app.synth({ CDKTF_CONTEXT_JSON: JSON.stringify({ driftDetection: { vaultServer: 'https://vault.vault:8200' } }) });
    expect(run.status).toBe(0);
    const cronJob: any = Object.values(app.stackJson('claude-agent-service').resource.kubernetes_cron_job_v1)[0];
    const pod = cronJob.spec.job_template.spec.template.spec;
    const env = Object.fromEntries(pod.container[0].env.map((v: any) => [v.name, v.value]));
    const roles: any[] = Object.values(app.stackJson('vault-access').resource.vault_kubernetes_auth_backend_role);
    const monitorRole = roles.find((role) => role.role_name === env.VAULT_ROLE);
    expect(monitorRole).toMatchObject({
      bound_service_account_names: [cronJob.metadata.name],
      bound_service_account_namespaces: [cronJob.metadata.namespace],
      audience: 'vault',
    });
    expect(pod.service_account_name).toMatch(/^\$\{kubernetes_service_account_v1\./);
    expect(app.read('cdktf.out/prometheus-rules/claude-oauth-token-expiry.rules.yml')).toContain('alert: ClaudeOAuthTokenMintEpochDrift');
  });
});
