import * as path from 'path';
import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
import { bundleScripts } from '../../constructs/script-bundle';
import { escapeTemplateSequences, readTemplateLiteral } from '../../constructs/terraform-literals';
import { TokenExpiryDashboard } from '../../constructs/token-expiry-dashboard';
import { AppCopy } from '../../devkit/app-copy';
import { templateReport, tofuReadsBack } from '../../devkit/opentofu';
import { ProjectStack } from '../../stacks/project-stack';
import { synthStack, testApp } from '../helpers/synth';

const STACKS = ['claude-agent-service', 'monitoring', 'vault-access'];

/** Every option that writes strings of its own into a stack, on at once. */
const EVERYTHING_ON = {
  tokenProbe: true,
  networkPolicies: true,
  adoptFromHcl: true,
  createNamespace: true,
  pushgateway: { deploy: {} },
  prometheus: { mode: 'operator' },
  keep: { keepUrl: 'http://keep-backend.keep:8080', apiKeySecret: { name: 'keep-api', key: 'api-key' }, usernameSecret: { name: 'keep-api', key: 'username' } },
  vaultAddress: 'https://vault.example.test:8200',
  clusterSecretStoreServer: 'https://vault.vault:8200',
  driftDetection: { vaultServer: 'https://vault.vault:8200' },
  kubeContext: 'agents',
  stateBackend: { type: 'pg', schemaPrefix: 'claude_oauth_tokens_' },
  scriptImage: `registry.example.test/mirror/node:22.20.0-alpine3.22@sha256:${'c'.repeat(64)}`,
  ignoredPodTemplateFields: ['metadata[0].annotations["policies.kyverno.io/last-applied-patches"]'],
  tokenConsumers: [{ kind: 'StatefulSet', namespace: 'hermes', name: 't3-afk', externalSecret: 't3-afk-secrets' }],
};

/** Trouble for a template parser: interpolations, directives, strip markers, escapes already doubled. */
const AWKWARD_TEXT = 'a ${b} %{ if c }d%{ endif } ${~e~} $${f} %%{g} $$${h} %%%{i} $ % $$ %% {} ${ %{ trailing $';

describe('the one boundary into Terraform: what OpenTofu reads is what was written', () => {
  let app: AppCopy;
  beforeAll(() => {
    app = new AppCopy();
  });
  afterAll(() => app.remove());

  test.each([
    ['the shipped settings', undefined],
    ['every option that writes strings', JSON.stringify(EVERYTHING_ON)],
  ])('%s: OpenTofu parses every string of every stack, and each reference names something declared in it', (_name, context) => {
    const run = app.synth({ CDKTF_CONTEXT_JSON: context });
    expect(run.stderr).not.toMatch(/synth failed|wrong/);
    expect(run.status).toBe(0);
    for (const stack of STACKS) {
      const report = templateReport(path.join(app.dir, 'cdktf.out', 'stacks', stack, 'cdk.tf.json'));
      expect({ stack, problems: report.problems }).toEqual({ stack, problems: [] });
      // The references cdktf wrote are the only ones: no literal text became one.
      // `self` only in a lifecycle condition (the prerequisite checks), where Terraform defines it.
      for (const { path: at, traversal } of report.references) {
        expect({ at, traversal }).toEqual({ at, traversal: expect.stringMatching(/\.lifecycle\.postcondition\[\d+\]\.condition$/.test(at) ? /^self\./ : /^(data\.)?[a-z]+_[a-z0-9_]+\.[A-Za-z0-9_-]+(\.|\[|$)/) });
      }
    }
  });

  test('the bundled scripts and the dashboard reach their ConfigMaps exactly as built, read the way OpenTofu reads them', () => {
    expect(app.synth({ CDKTF_CONTEXT_JSON: JSON.stringify({ tokenProbe: true }) }).status).toBe(0);
    const readBack = (stack: string) => {
      const report = templateReport(path.join(app.dir, 'cdktf.out', 'stacks', stack, 'cdk.tf.json'));
      expect(report.problems).toEqual([]);
      const json = app.stackJson(stack);
      const values = new Map(report.unescaped.map(({ path: at, value }) => [at, value]));
      // Every ConfigMap's data, each value as OpenTofu reads it.
      return Object.entries<{ data?: Record<string, string> }>(json.resource.kubernetes_config_map_v1).flatMap(([id, configMap]) =>
        Object.entries(configMap.data ?? {}).map(([key, text]) => values.get(`resource.kubernetes_config_map_v1.${id}.data.${key}`) ?? text),
      );
    };
    const agents = readBack('claude-agent-service');
    const scripts = bundleScripts();
    for (const bundle of [scripts.monitor, scripts.probe, scripts.restartAgents]) {
      expect(bundle.code).toContain('${');
      expect(agents).toContainEqual(bundle.code);
    }
    const dashboard = new TokenExpiryDashboard(new ProjectStack(testApp(), 'dashboard'), 'dashboard', { namespace: 'monitoring' });
    expect(JSON.stringify(dashboard.dashboard)).toContain('${datasource}');
    expect(readBack('monitoring')).toContainEqual(JSON.stringify(dashboard.dashboard, null, 2));
  });

  test('the real tofu reads each escaped text back as it was, the scripts and dashboard among them', () => {
    const scripts = bundleScripts();
    const texts: Record<string, string> = {
      awkward: AWKWARD_TEXT,
      monitor: scripts.monitor.code,
      restart: scripts.restartAgents.code,
      probe: scripts.probe.code,
    };
    const locals = Object.fromEntries(Object.entries(texts).map(([name, text]) => [name, escapeTemplateSequences(text)]));
    expect(tofuReadsBack(locals)).toEqual(texts);
    // The tests' own reading of escaped text (asTerraformReads) is the real tofu's.
    for (const [name, text] of Object.entries(locals)) expect(readTemplateLiteral(text)).toBe(texts[name]);
  });

  test('a reference stays a reference and literal text beside it, or in a map key, is escaped', () => {
    const stack = new ProjectStack(testApp(), 'test');
    const first = new ConfigMapV1(stack, 'first', { metadata: { name: 'first' }, data: { 'key ${k}': 'value ${v} %{ if x }' } });
    new ConfigMapV1(stack, 'second', { metadata: { name: `${first.metadata.name}-\${suffix}` } });
    const configMaps = synthStack(stack).resource!.kubernetes_config_map_v1 as Record<string, { metadata: { name: string }; data?: Record<string, string> }>;
    expect(configMaps.first.data).toEqual({ 'key $${k}': 'value $${v} %%{ if x }' });
    expect(configMaps.second.metadata.name).toBe('${kubernetes_config_map_v1.first.metadata[0].name}-$${suffix}');
  });
});
