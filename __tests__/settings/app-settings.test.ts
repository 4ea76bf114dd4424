import { readFileSync } from 'fs';
import * as path from 'path';
import { DEFAULT_SETTINGS, readAppSettings, SettingsError } from '../../settings/app-settings';
import { toRuleGroup } from '../../alerts/alert-record';
import { renderRulesFile } from '../../alerts/rules-file';
import { tokenExpiryAlerts } from '../../alerts/token-expiry-alerts';
import { promtool } from '../helpers/promtool';

const CDKTF_JSON = readFileSync(path.resolve(__dirname, '../../cdktf.json'), 'utf8');
const withContext = (context: unknown) => ({ name: 'cdktf.json', text: JSON.stringify({ language: 'typescript', context }, null, 2) });
const problemsOf = (read: () => unknown): string[] => {
  try {
    read();
  } catch (error) {
    if (error instanceof SettingsError) return [...error.problems];
    throw error;
  }
  throw new Error('expected the settings to be refused');
};

describe('readAppSettings', () => {
  test("the shipped cdktf.json reads as the defaults, and an empty context means the defaults", () => {
    expect(readAppSettings({ name: 'cdktf.json', text: CDKTF_JSON })).toEqual(DEFAULT_SETTINGS);
    expect(readAppSettings(withContext({}))).toEqual(DEFAULT_SETTINGS);
    expect(readAppSettings({ name: 'cdktf.json', text: '{"language": "typescript"}' })).toEqual(DEFAULT_SETTINGS);
  });

  test.each([
    [{ tokenProbe: 'maybe' }, 'cdktf.json context.tokenProbe is "maybe": write true or false (JSON booleans, unquoted).'],
    [{ pushgateway: 'yes' }, 'cdktf.json context.pushgateway is "yes": write {"existingUrl": "http://prometheus-prometheus-pushgateway.monitoring:9091"} or {"deploy": {}}.'],
    [{ legacyCredentialsFile: 'no' }, /^cdktf\.json context\.legacyCredentialsFile is "no": write true \(from Vault\), false \(not delivered\), or /],
    [{ legacyCredentialsFile: { infisicalStore: '' } }, /^cdktf\.json context\.legacyCredentialsFile\.infisicalStore is "": write the name of the ESO store for Infisical/],
    [{ namespace: 'Claude Agent' }, /^cdktf\.json context\.namespace is "Claude Agent": write a Kubernetes namespace name/],
    [{ refreshInterval: '30s' }, 'cdktf.json context.refreshInterval is "30s": ESO would re-read Vault more than once a minute; write at least "1m".'],
    [{ refreshInterval: '1h30m' }, /^cdktf\.json context\.refreshInterval is "1h30m": write whole hours, minutes or seconds/],
    [{ tokenDelivery: 'both' }, /^cdktf\.json context\.tokenDelivery is "both": write "dedicated"/],
    [{ prometheus: { mode: 'operator', selectorLabels: { release: 7 } } }, /^cdktf\.json context\.prometheus\.selectorLabels\.release is 7: a label value is at most 63/],
    [{ prometheus: { mode: 'operatr' } }, /^cdktf\.json context\.prometheus is \{"mode":"operatr"\}: write \{"mode": "chart"/],
    [{ keep: { keepUrl: 'http://keep:8080', usernameSecret: { name: 'k', key: 'u' } } }, /^cdktf\.json context\.keep\.apiKeySecret is missing/],
    [{ driftDetection: { vaultServer: 'https://vault:8200', role: 'x' } }, /^cdktf\.json context\.driftDetection\.role is not a setting here; the keys are vaultServer\./],
    [{ tokenProbes: true }, /^cdktf\.json context\.tokenProbes is not a setting; the settings are runbookUrl, expiryThresholds, namespace, /],
    [{ expiryThresholds: { warningDays: 7, criticalDays: 14 } }, 'cdktf.json context.expiryThresholds: criticalDays (14) must be fewer than warningDays (7).'],
    [{ expiryThresholds: { warningDays: '30', criticalDays: 7 } }, /^cdktf\.json context\.expiryThresholds\.warningDays is "30": write a whole number of days/],
    [{ runbookUrl: 'README.md' }, /^cdktf\.json context\.runbookUrl is "README\.md": write an http\(s\) URL/],
    [{ scriptImage: 'node:22.20.0-alpine3.22' }, /^cdktf\.json context\.scriptImage: image 'node:22\.20\.0-alpine3\.22' does not name its registry/],
    [{ scriptImage: 'docker.io/library/node:latest' }, /^cdktf\.json context\.scriptImage: image 'docker\.io\/library\/node:latest' must be pinned/],
    [{ ignoredPodTemplateFields: 'dns_config' }, /^cdktf\.json context\.ignoredPodTemplateFields is "dns_config": write a list of attribute paths/],
    [{ ignoredPodTemplateFields: ['spec[0].toleration', 'spec[0].${x}'] }, /holds "\$\{" \(Terraform template syntax\)/],
    [{ ignoredPodTemplateFields: ['spec[0].toleration', 'toleration'] }, /^cdktf\.json context\.ignoredPodTemplateFields\[1\]: 'toleration' is not a Terraform attribute path under a pod template/],
  ])('refuses %j, naming the file, the key and the fix', (context, message) => {
    const problems = problemsOf(() => readAppSettings(withContext(context)));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  test.each([
    ['runbookUrl', 'https://wiki.example.com/${file("/etc/hostname")}', '${'],
    ['kubeContext', '${var.context}', '${'],
    ['legacyCredentialsFile', { vaultProperty: '%{ if true }x%{ endif }' }, '%{'],
    ['prometheus', { mode: 'operator', selectorLabels: { '${k}': 'v' } }, 'key'],
  ])('refuses Terraform template syntax in %s: settings are literal text, never interpolated', (key, value, found) => {
    const problems = problemsOf(() => readAppSettings(withContext({ [key]: value })));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^cdktf\\.json context\\.${key}`));
    expect(problems[0]).toContain(found === 'key' ? 'holds Terraform template syntax: write the key itself' : `holds "${found}" (Terraform template syntax): settings are copied as literal text and never interpolated; write the value itself.`);
  });

  test.each([
    ['runbookUrl', 'https://admin:s3cret@wiki.example.com/runbook'],
    ['vaultAddress', 'http://admin:s3cret@vault.example.com:8200'],
    ['clusterSecretStoreServer', 'https://admin:s3cret@vault.vault:8200'],
    ['pushgateway', { existingUrl: 'http://admin:s3cret@pushgateway.monitoring:9091' }],
    ['driftDetection', { vaultServer: 'https://admin:s3cret@vault.vault:8200' }],
    ['keep', { keepUrl: 'http://admin:s3cret@keep:8080', apiKeySecret: { name: 'k', key: 'a' }, usernameSecret: { name: 'k', key: 'u' } }],
  ])('refuses a user or password in the URL of %s, and never repeats the password', (key, value) => {
    for (const read of [() => readAppSettings(withContext({ [key]: value })), () => readAppSettings(withContext({}), { name: 'CDKTF_CONTEXT_JSON', text: JSON.stringify({ [key]: value }) })]) {
      const problems = problemsOf(read);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/holds a user or password in its URL \(".*\/\/…@.*"\): settings are committed and copied into the synth output; remove them/);
      expect(problems.join('\n')).not.toMatch(/s3cret|admin/);
    }
  });

  test('podStartTimeout: whole minutes or seconds between 30 s and 30 min; the rest refused with the fix', () => {
    expect(readAppSettings(withContext({})).podStartTimeout).toBe('2m');
    expect(readAppSettings(withContext({ podStartTimeout: '45s' })).podStartTimeout).toBe('45s');
    expect(problemsOf(() => readAppSettings(withContext({ podStartTimeout: '10s' })))).toEqual([expect.stringMatching(/^cdktf\.json context\.podStartTimeout is "10s": write between "30s" and "30m"/)]);
    expect(problemsOf(() => readAppSettings(withContext({ podStartTimeout: '1h' })))).toEqual([expect.stringMatching(/podStartTimeout is "1h": write whole minutes or seconds, e\.g\. "2m"\./)]);
    expect(problemsOf(() => readAppSettings(withContext({ podStartTimeout: 120 })))).toEqual([expect.stringMatching(/podStartTimeout is 120: write whole minutes or seconds/)]);
  });

  test('a consumer that agentWorkload already restarts is refused naming both settings, not later as a duplicate in the restart Job', () => {
    const agents = { kind: 'Deployment', namespace: 'claude-agent', name: 'claude-agent-service', externalSecret: 'claude-oauth-token' };
    expect(problemsOf(() => readAppSettings(withContext({ tokenConsumers: [agents] })))).toEqual([
      "tokenConsumers[0] is the agents' Deployment claude-agent/claude-agent-service, which agentWorkload already restarts: remove it from tokenConsumers (or set agentWorkload to false and keep it there).",
    ]);
    expect(readAppSettings(withContext({ agentWorkload: false, tokenConsumers: [agents] })).tokenConsumers).toHaveLength(1);
    expect(readAppSettings(withContext({ tokenConsumers: [{ ...agents, namespace: 'other' }] })).tokenConsumers).toHaveLength(1);
  });

  test('every runbookUrl it accepts makes a rules file promtool loads; the rest are refused with the fix', () => {
    const candidates = [
      'https://wiki.example.com/{{',
      'https://wiki.example.com/{{ .Value }}',
      'https://wiki.example.com/a}}b',
      'https://wiki.example.com/page#section',
      'https://wiki.example.com/a%7B%7Bb',
      'https://wiki.example.com/a$b?x=1&y=%25',
      "https://wiki.example.com/it's(ok)",
      'https://wiki.example.com/back`tick',
    ];
    const accepted = candidates.filter((runbookUrl) => {
      try {
        readAppSettings(withContext({ runbookUrl }));
        return true;
      } catch (error) {
        expect((error as SettingsError).problems[0]).toMatch(/percent-encode them|without a #fragment|percent-encode anything else/);
        return false;
      }
    });
    expect(accepted).toEqual(['https://wiki.example.com/a%7B%7Bb', 'https://wiki.example.com/a$b?x=1&y=%25', "https://wiki.example.com/it's(ok)"]);
    for (const runbookUrl of accepted) {
      const rules = renderRulesFile([toRuleGroup('g', tokenExpiryAlerts(), runbookUrl)]);
      const check = promtool(['check', 'rules', 'rules.yml'], { 'rules.yml': rules });
      expect({ runbookUrl, output: check.output }).toEqual({ runbookUrl, output: expect.stringContaining('SUCCESS') });
    }
  });

  test.each(['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'cdktfTokenProbe'])('%s is an unknown key like any other, not a crash nor a silent pass', (key) => {
    const text = `{"context": {"${key}": true}}`;
    expect(problemsOf(() => readAppSettings({ name: 'cdktf.json', text }))).toEqual([expect.stringMatching(new RegExp(`^cdktf\\.json context\\.${key} is not a setting; the settings are runbookUrl, `))]);
    expect(problemsOf(() => readAppSettings(withContext({ keep: JSON.parse(`{"${key}": 1}`) })))[0]).toMatch(/is not a setting here|is missing/);
  });

  test('a key written twice is refused at its second place: JSON would keep only the last, silently', () => {
    const text = '{\n  "context": {\n    "tokenProbe": false,\n    "tokenProbe": true\n  }\n}\n';
    expect(problemsOf(() => readAppSettings({ name: 'cdktf.json', text }))).toEqual(['cdktf.json:4:5: "tokenProbe" appears twice in one object, and JSON keeps only the last; keep one.']);
    expect(readAppSettings({ name: 'cdktf.json', text: '{"context": {"keep": null}, "x": [{"a": 1}, {"a": 2}]}' }).keep).toBeUndefined();
  });

  test.each([
    ['99999999999999999999h', /write whole hours, minutes or seconds/],
    ['169h', /longer than a week, so a token stored in Vault could take that long to reach the pods; write at most "168h"/],
    ['604801s', /longer than a week/],
  ])('refreshInterval %s is refused (sane bounds)', (refreshInterval, message) => {
    expect(problemsOf(() => readAppSettings(withContext({ refreshInterval })))[0]).toMatch(message);
  });

  test('168h, a week, is the longest refreshInterval', () => {
    expect(readAppSettings(withContext({ refreshInterval: '168h' })).refreshInterval).toBe('168h');
  });

  test('an admin key (sk-ant-admin01-…) is recognised as a credential like the others', () => {
    const adminKey = ['sk', 'ant', 'admin01', 'A'.repeat(40)].join('-');
    const problems = problemsOf(() => readAppSettings(withContext({ kubeContext: adminKey })));
    expect(problems[0]).toMatch(/holds a credential \(sk-ant-admin01-…\(redacted, 55 chars\)\)/);
  });

  test('tokenConsumers: each workload with the ExternalSecret that feeds it (same namespace by default), Reloader optional; mistakes named', () => {
    const settings = readAppSettings(
      withContext({
        tokenConsumers: [
          { kind: 'Deployment', namespace: 'claude-agent', name: 'claude-breakglass', externalSecret: 'claude-breakglass-secrets' },
          { kind: 'StatefulSet', namespace: 'hermes', name: 't3-afk', externalSecret: { namespace: 'shared', name: 't3-secrets' }, reloader: true },
        ],
      }),
    );
    expect(settings.tokenConsumers).toEqual([
      { externalSecret: { namespace: 'claude-agent', name: 'claude-breakglass-secrets' }, workload: { kind: 'Deployment', namespace: 'claude-agent', name: 'claude-breakglass' } },
      { externalSecret: { namespace: 'shared', name: 't3-secrets' }, workload: { kind: 'StatefulSet', namespace: 'hermes', name: 't3-afk' }, reloader: true },
    ]);
    const problems = problemsOf(() =>
      readAppSettings(
        withContext({
          tokenConsumers: [
            { kind: 'DaemonSet', namespace: 'x', name: 'y', externalSecret: 'z' },
            { kind: 'Deployment', namespace: 'x', name: 'y' },
            { kind: 'Deployment', namespace: 'a', name: 'b', externalSecret: 'c' },
            { kind: 'Deployment', namespace: 'a', name: 'b', externalSecret: 'c' },
          ],
        }),
      ),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^cdktf\.json context\.tokenConsumers\[0\]\.kind is "DaemonSet": write Deployment or StatefulSet/),
      expect.stringMatching(/^cdktf\.json context\.tokenConsumers\[1\]\.externalSecret is missing/),
      'cdktf.json context.tokenConsumers[3]: Deployment a/b is listed twice (also at [2]); list each consumer once.',
    ]);
  });

  test('reports every problem at once', () => {
    expect(problemsOf(() => readAppSettings(withContext({ tokenProbe: 'maybe', pushgateway: 'yes', legacyCredentialsFile: 'no', bogus: 1 })))).toHaveLength(4);
  });

  test('a JSON syntax error names the file, line and column', () => {
    const text = '{\n  "context": {\n    "tokenProbe": true,\n  }\n}\n';
    expect(problemsOf(() => readAppSettings({ name: 'cdktf.json', text }))).toEqual([expect.stringMatching(/^cdktf\.json:4:3: not valid JSON \(.+\); fix the syntax there\.$/)]);
  });

  test('the environment overrides key by key, is checked the same way, and cdktf\'s own keys pass', () => {
    const settings = readAppSettings(withContext({ namespace: 'agents', tokenProbe: true }), {
      name: 'CDKTF_CONTEXT_JSON',
      text: JSON.stringify({ namespace: 'agents-canary', cdktfRelativeModules: [], cdktfStaticModuleAssetHash: 'x' }),
    });
    expect(settings).toMatchObject({ namespace: 'agents-canary', tokenProbe: true });
    expect(problemsOf(() => readAppSettings(withContext({}), { name: 'CDKTF_CONTEXT_JSON', text: '{"createNamespace": "yes"}' }))).toEqual([
      'CDKTF_CONTEXT_JSON context.createNamespace is "yes": write true or false (JSON booleans, unquoted).',
    ]);
  });

  test('typed values come out typed: legacy file sources, rule delivery, null as off', () => {
    const settings = readAppSettings(
      withContext({
        legacyCredentialsFile: { infisicalStore: 'infisical' },
        prometheus: { mode: 'operator' },
        keep: null,
        driftDetection: { vaultServer: 'https://vault.vault:8200' },
      }),
    );
    expect(settings.legacyCredentialsFile).toEqual({ source: 'infisical', secretName: 'claude-credentials', infisicalStore: 'infisical' });
    expect(settings.prometheus).toEqual({ mode: 'operator', selectorLabels: { release: 'kube-prometheus-stack' } });
    expect(settings.keep).toBeUndefined();
    expect(settings.driftDetection).toEqual({ vaultServer: 'https://vault.vault:8200' });
    expect(readAppSettings(withContext({ legacyCredentialsFile: false })).legacyCredentialsFile).toEqual({ source: 'none' });
  });
});
