import { readAppSettings, SettingsError } from '../../settings/app-settings';

const withContext = (context: unknown) => ({ name: 'cdktf.json', text: JSON.stringify({ language: 'typescript', context }) });
const problemsOf = (context: unknown, raw?: string): string[] => {
  try {
    readAppSettings(raw === undefined ? withContext(context) : { name: 'cdktf.json', text: raw });
  } catch (error) {
    if (error instanceof SettingsError) return [...error.problems];
    throw error; // a raw error (a TypeError, a stack overflow) fails the test
  }
  throw new Error('expected the settings to be refused');
};
const SHARED = { tokenDelivery: 'shared', legacyCredentialsFile: false };
const entry = (fields: Record<string, string>) => ({ secretKey: 'GITHUB_TOKEN', key: 'viktor', property: 'github_pat', ...fields });

/** The third attack's inputs, by the kind of place each value lands: each refused at synth, naming the setting and the fix. */
describe('every value is checked for the place it lands', () => {
  test.each([
    // Text that lands in every alert (a Go template, a YAML file promtool must load).
    ['runbookUrl with DEL', { runbookUrl: 'https://docs.example.com/run\u007Fbook.md' }, /runbookUrl holds U\+007F: a URL is printable ASCII/],
    ['runbookUrl with U+009F', { runbookUrl: 'https://docs.example.com/\u009Frunbook.md' }, /runbookUrl holds U\+009F/],
    ['runbookUrl with U+FFFE', { runbookUrl: 'https://docs.example.com/\uFFFE.md' }, /runbookUrl holds U\+FFFE/],
    ['runbookUrl with a lone surrogate', { runbookUrl: 'https://docs.example.com/\uD800.md' }, /runbookUrl holds U\+D800/],
    ['runbookUrl with ESC', { runbookUrl: 'https://docs.example.com/\u001B[31m.md' }, /runbookUrl holds U\+001B/],
    ['runbookUrl with NEL', { runbookUrl: 'https://docs.example.com/\u0085.md' }, /runbookUrl holds U\+0085/],
    ['runbookUrl with a bidi override', { runbookUrl: 'https://docs.example.com/\u202Edm.koobnur' }, /runbookUrl holds U\+202E/],
    ['runbookUrl with a zero-width space', { runbookUrl: 'https://docs.\u200Bexample.com/runbook.md' }, /runbookUrl holds U\+200B/],
    // URLs: no credential, no fragment where something is appended, plain http only where the risk is stated.
    ['a token in vaultAddress\'s query', { vaultAddress: 'https://vault.example.com/?token=hvs.CAESI' }, /vaultAddress has a 'token' query parameter, which carries a credential/],
    ['an access_token in runbookUrl', { runbookUrl: 'https://docs.example.com/runbook.md?access_token=abc' }, /runbookUrl has a 'access_token' query parameter/],
    ['a fragment in the http state backend', { stateBackend: { type: 'http', address: 'https://state.example.com/tf#/' } }, /stateBackend\.address .*without a #fragment/],
    ['plain http state off loopback', { stateBackend: { type: 'http', address: 'http://state.example.com/tf/' } }, /stateBackend\.address is plain http to state\.example\.com/],
    ['plain http vaultAddress off loopback', { vaultAddress: 'http://vault.example.com:8200' }, /vaultAddress is plain http to vault\.example\.com:8200/],
    ['plain http store server off the cluster', { clusterSecretStoreServer: 'http://vault.example.com:8200' }, /clusterSecretStoreServer is plain http to vault\.example\.com:8200, which is not a cluster-local Service name/],
    // Kubernetes object names, as the API server would refuse them at apply.
    ['a legacy secretName with a space', { legacyCredentialsFile: { secretName: 'Claude Credentials' } }, /legacyCredentialsFile\.secretName is "Claude Credentials": write a Secret name, a Kubernetes object name/],
    ['a legacy secretName of 300 characters', { legacyCredentialsFile: { secretName: 'a'.repeat(300) } }, /legacyCredentialsFile\.secretName is .*a Kubernetes object name/],
    ['an infisicalStore with a space', { legacyCredentialsFile: { infisicalStore: 'Bad Store!' } }, /legacyCredentialsFile\.infisicalStore is "Bad Store!"/],
    ['a Keep Secret name with a space', { keep: { keepUrl: 'http://keep-backend.keep:8080', apiKeySecret: { name: 'Bad Name', key: 'api-key' }, usernameSecret: { name: 'keep-api', key: 'username' } } }, /keep\.apiKeySecret\.name is "Bad Name"/],
    ['a consumer named a..b', { tokenConsumers: [{ kind: 'Deployment', namespace: 'hermes', name: 'a..b', externalSecret: 'hermes-secrets' }] }, /tokenConsumers\[0\]\.name is "a\.\.b"/],
    // Labels, as a selector matches them.
    ['a label value with a space', { prometheus: { mode: 'operator', selectorLabels: { release: 'kube prometheus' } } }, /selectorLabels\.release is "kube prometheus": a label value/],
    ['a label value of 64 characters', { prometheus: { mode: 'operator', selectorLabels: { release: 'a'.repeat(64) } } }, /selectorLabels\.release is .*: a label value is at most 63/],
    ['a label key bad key!', { prometheus: { mode: 'operator', selectorLabels: { 'bad key!': 'x' } } }, /selectorLabels has the key "bad key!": a label key is \[prefix\/\]name/],
    // Image references, by the distribution grammar.
    ['an image registry -.-', { scriptImage: '-.-/node:22' }, /image '-\.-\/node:22' does not name its registry/],
    ['an image registry port 99999', { scriptImage: 'localhost:99999/node:22' }, /names a registry port outside 1-65535/],
    // Vault paths and fields.
    ['a shared entry key reaching another mount', { ...SHARED, sharedSecretEntries: [entry({ key: '../../sys/policy/root' })] }, /sharedSecretEntries\[0\]\.key is "\.\.\/\.\.\/sys\/policy\/root": .*no '\.\.'/],
    ['a shared entry key with a leading /', { ...SHARED, sharedSecretEntries: [entry({ key: '/viktor' })] }, /sharedSecretEntries\[0\]\.key is "\/viktor"/],
    // Bounded text.
    ['a 30 MB kubeContext', { kubeContext: 'x'.repeat(30 * 1024 * 1024) }, /kubeContext is 31457280 characters, more than 512/],
    ['a kubeContext with a newline', { kubeContext: 'prod\nother' }, /kubeContext is "prod\\nother": write a kubeconfig context name \(printable/],
    // Collisions in one namespace, and a token copied where it does not belong.
    ['the legacy Secret named as the token\'s', { legacyCredentialsFile: { secretName: 'claude-oauth-token' } }, /legacyCredentialsFile\.secretName is "claude-oauth-token", the token's own Secret in claude-agent/],
    ['the legacy Secret named as the shared one', { ...SHARED, sharedSecretEntries: [entry({})], legacyCredentialsFile: { secretName: 'claude-agent-secrets' } }, /the token's own Secret/],
    ['the legacy field the token\'s own', { legacyCredentialsFile: { vaultProperty: 'claude_oauth_token' } }, /vaultProperty is "claude_oauth_token", the token's own field/],
    // What once surfaced as a raw error.
    ['a duplicate shared secretKey', { ...SHARED, sharedSecretEntries: [entry({}), entry({ property: 'other' })] }, /GITHUB_TOKEN is listed twice/],
    ['a digit-leading shared secretKey', { ...SHARED, sharedSecretEntries: [entry({ secretKey: '1BAD' })] }, /secretKey is "1BAD": write an environment variable name/],
    ['Keep with the plain chart', { keep: { keepUrl: 'http://keep-backend.keep:8080', apiKeySecret: { name: 'keep-api', key: 'api-key' }, usernameSecret: { name: 'keep-api', key: 'username' } } }, /keep routes the alerts with an AlertmanagerConfig.*\(docs\/fitting-the-cluster\.md, Alert rules: plain chart or operator\)/],
    ['warningDays 1e400', undefined, /warningDays is a number too large for JSON to hold: write a whole number of days/],
  ])('%s', (_, context, message) => {
    const raw = context === undefined ? '{"context": {"expiryThresholds": {"warningDays": 1e400, "criticalDays": 7}}}' : undefined;
    const problems = problemsOf(context, raw);
    expect(problems.join('\n')).toMatch(message);
    expect(problems.join('\n')).toMatch(/^cdktf\.json |^context\./m);
  });

  test('an array nested 100,000 deep is refused with its place, not a stack overflow', () => {
    const raw = `{"context": {"tokenConsumers": ${'['.repeat(100_000)}${']'.repeat(100_000)}}}`;
    expect(problemsOf(undefined, raw)).toEqual([expect.stringMatching(/^cdktf\.json:1:\d+: nests 100002 levels deep; no setting nests more than 16/)]);
  });

  test.each([
    ['plain http on loopback for vaultAddress', { vaultAddress: 'http://127.0.0.1:8200' }],
    ['a cluster-local store server over http', { clusterSecretStoreServer: 'http://vault.vault.svc:8200' }],
    ['a prefixed label key and an empty value', { prometheus: { mode: 'operator', selectorLabels: { 'app.kubernetes.io/part-of': '' } } }],
    ['a registry with a port', { scriptImage: 'registry.internal:5000/node:22.20.0' }],
    ['a dotted legacy Secret name', { legacyCredentialsFile: { secretName: 'claude.credentials' } }],
  ])('still accepted: %s', (_, context) => {
    expect(() => readAppSettings(withContext(context))).not.toThrow();
  });
});

describe('agentWorkload', () => {
  test.each([
    [{ deployment: 'claude-agent-service' }, { kind: 'Deployment', name: 'claude-agent-service' }],
    [{ statefulSet: 'claude-agent' }, { kind: 'StatefulSet', name: 'claude-agent' }],
    [false, undefined],
  ])('%j is read as %j', (setting, expected) => {
    expect(readAppSettings(withContext({ agentWorkload: setting })).agentWorkload).toEqual(expected);
  });

  test.each([
    [{ deployment: 'a', statefulSet: 'b' }, /agentWorkload: name one workload/],
    [{}, /agentWorkload: name one workload/],
    [{ daemonSet: 'x' }, /agentWorkload\.daemonSet is not a setting here; the keys are deployment, statefulSet/],
    [{ statefulSet: 'Agents' }, /agentWorkload\.statefulSet is "Agents": write the agents' StatefulSet/],
  ])('%j is refused, naming the fix', (setting, message) => {
    expect(problemsOf({ agentWorkload: setting }).join('\n')).toMatch(message);
  });

  test('a StatefulSet of agents is restarted by the deploy, and a consumer entry naming it again is refused', () => {
    const statefulSet = { kind: 'StatefulSet', namespace: 'claude-agent', name: 'claude-agent', externalSecret: 'claude-oauth-token' };
    expect(problemsOf({ agentWorkload: { statefulSet: 'claude-agent' }, tokenConsumers: [statefulSet] }).join('\n')).toContain(
      "tokenConsumers[0] is the agents' StatefulSet claude-agent/claude-agent, which agentWorkload already restarts",
    );
  });
});
