/**
 * The one boundary where settings enter: `cdktf.json`'s `context`, overridden key by key by
 * `CDKTF_CONTEXT_JSON` (what `cdktf synth --context`-style tooling sets). Every key is type-checked;
 * unknown keys and wrong types are refused, all at once, each naming the file, the key and the fix.
 * main.ts and the tools read the result; everything below receives typed props.
 */

import { AppSettings, DEFAULT_SETTINGS, KeepSetting, SettingsError, TokenDelivery } from './settings-model';
import { boolean, Check, isObject, namespaceName, object, optional, shown, text } from './setting-checks';
import { objectName, printableText, secretKeyReference, url } from './destinations';
import { MOVED_INTO_VAULT, vaultLayout } from './vault-setting';
import { agentWorkload } from './token-consumers';
import { expiryThresholds, ignoredPodTemplateFields, legacyCredentials, podStartTimeout, prometheus, pushgateway, refreshInterval, scriptImage, sharedSecretEntries, stateBackend, tokenConsumers } from './setting-groups';
import { credentialsIn, parseJson, SettingsSource, templateSequencesIn } from './settings-json';
import { DEDICATED_TOKEN_SECRET_NAME, SHARED_AGENT_SECRET_NAME } from './object-names';

export * from './settings-model';
export type { SettingsSource } from './settings-json';

/** cdktf's own context keys, which the cdktf CLI adds to `CDKTF_CONTEXT_JSON`. */
const CDKTF_CONTEXT_KEYS = new Set(['cdktfRelativeModules', 'cdktfStaticModuleAssetHash']);

/** Every setting and its check: these keys are the settings (docs/fitting-the-cluster.md, Settings). */
const SETTINGS: { readonly [K in keyof AppSettings]-?: Check<AppSettings[K]> } = {
  runbookUrl: url('https://github.com/your-org/claude-oauth-tokens/blob/main/docs/runbook.md', { fragment: false }),
  expiryThresholds,
  namespace: namespaceName,
  createNamespace: boolean,
  monitoringNamespace: namespaceName,
  secretStoreName: objectName('the name of the ESO store', 'vault-kv'),
  secretStoreKind: text('ClusterSecretStore or SecretStore', /^(ClusterSecretStore|SecretStore)$/) as Check<AppSettings['secretStoreKind']>,
  refreshInterval,
  tokenDelivery: text('"dedicated" (a Secret of its own) or "shared" (this project owns claude-agent-secrets whole)', /^(dedicated|shared)$/) as Check<TokenDelivery>,
  agentWorkload,
  legacyCredentialsFile: legacyCredentials,
  prometheus,
  pushgateway,
  keep: optional(
    object<KeepSetting>(
      { keepUrl: url('http://keep-backend.keep:8080'), apiKeySecret: secretKeyReference, usernameSecret: secretKeyReference },
      '{"keepUrl": "http://keep-backend.keep:8080", "apiKeySecret": {"name": "keep-api", "key": "api-key"}, "usernameSecret": {"name": "keep-api", "key": "username"}}',
    ),
  ),
  tokenProbe: boolean,
  networkPolicies: boolean,
  adoptFromHcl: boolean,
  vaultAddress: optional(url('https://vault.example.com:8200', { plainHttp: 'loopback' })),
  vault: vaultLayout,
  clusterSecretStoreServer: optional(url('https://vault.vault:8200', { plainHttp: 'cluster' })),
  driftDetection: optional(object<{ vaultServer: string }>({ vaultServer: url('https://vault.vault:8200', { plainHttp: 'cluster' }) }, '{"vaultServer": "https://vault.vault:8200"}')),
  kubeconfigPath: optional(printableText('a path to a kubeconfig file', 4096)),
  kubeContext: optional(printableText('a kubeconfig context name', 512)),
  podStartTimeout,
  scriptImage,
  sharedSecretEntries,
  stateBackend,
  tokenConsumers,
  ignoredPodTemplateFields,
};

/** Every setting's key: docs/fitting-the-cluster.md's Settings table lists each (a test holds them together). */
export const SETTING_KEYS: readonly string[] = Object.keys(SETTINGS);

/**
 * The settings of `cdktfJson`'s `context`, each key overridden by `override` (the environment's
 * context, when set). Throws {@link SettingsError} listing every problem.
 */
export function readAppSettings(cdktfJson: SettingsSource, override?: SettingsSource): AppSettings {
  const problems: string[] = [];
  const file = parseJson(cdktfJson, problems);
  const overrides = override ? parseJson(override, problems) : {};
  if (problems.length > 0) throw new SettingsError(problems);
  if (!isObject(file)) throw new SettingsError([`${cdktfJson.name} must hold a JSON object.`]);
  const context = file.context ?? {};
  if (!isObject(context)) throw new SettingsError([`${cdktfJson.name}: "context" is ${shown(context)}: write an object of settings.`]);
  if (!isObject(overrides)) throw new SettingsError([`${override!.name} must hold a JSON object.`]);

  // A null prototype: a key such as `__proto__` or `constructor` is just an unknown key.
  const settings: Record<string, unknown> = Object.assign(Object.create(null) as Record<string, unknown>, DEFAULT_SETTINGS);
  for (const [source, values] of [
    [cdktfJson.name, context],
    [override?.name ?? '', overrides],
  ] as const) {
    for (const [key, value] of Object.entries(values)) {
      // cdktf's own context (cdktfRelativeModules) rides along in the environment.
      if (CDKTF_CONTEXT_KEYS.has(key)) continue;
      const at = `${source} context.${key}`;
      const credentials = credentialsIn(value, at);
      if (credentials.length > 0) {
        problems.push(...credentials);
        continue;
      }
      const templates = templateSequencesIn(value, at);
      if (templates.length > 0) {
        problems.push(...templates);
        continue;
      }
      if (Object.hasOwn(MOVED_INTO_VAULT, key)) {
        problems.push(`${at} moved into the vault setting: write "vault": {"${MOVED_INTO_VAULT[key]}": ${shown(value)}} instead (docs/fitting-the-cluster.md, Your Vault layout).`);
        continue;
      }
      if (!Object.hasOwn(SETTINGS, key)) {
        problems.push(`${at} is not a setting; the settings are ${Object.keys(SETTINGS).join(', ')} (docs/fitting-the-cluster.md, Settings).`);
        continue;
      }
      const parsed = SETTINGS[key as keyof AppSettings](value, at, problems);
      settings[key] = value === null ? undefined : parsed;
    }
  }
  if (settings.tokenDelivery === 'shared' && (settings.sharedSecretEntries as readonly unknown[] | undefined)?.length === 0) {
    problems.push(
      'tokenDelivery is "shared" but sharedSecretEntries is empty: this project would own claude-agent-secrets whole and remove every other key. ' +
        'List them (names and Vault locations), as the existing ExternalSecret has them: kubectl -n <namespace> get externalsecret claude-agent-secrets -o json | ' +
        `jq -c 'if (.spec.dataFrom // []) != [] then error("it also has dataFrom entries, which sharedSecretEntries cannot list: keep tokenDelivery dedicated") ` +
        `else [.spec.data[] | select(.secretKey != "CLAUDE_CODE_OAUTH_TOKEN") | {secretKey, key: .remoteRef.key, property: .remoteRef.property}] end'`,
    );
  }
  const agents = settings.agentWorkload as AppSettings['agentWorkload'];
  const consumers = (settings.tokenConsumers as AppSettings['tokenConsumers'] | undefined) ?? [];
  const again = consumers.findIndex((target) => agents && target.workload.kind === agents.kind && target.workload.namespace === settings.namespace && target.workload.name === agents.name);
  if (agents && again !== -1) {
    problems.push(
      `tokenConsumers[${again}] is the agents' ${agents.kind} ${String(settings.namespace)}/${agents.name}, which agentWorkload already restarts: remove it from tokenConsumers (or set agentWorkload to false and keep it there).`,
    );
  }
  problems.push(...legacyCollisions(settings));
  if (settings.keep && (settings.prometheus as AppSettings['prometheus'] | undefined)?.mode === 'chart') {
    problems.push(
      'context.keep routes the alerts with an AlertmanagerConfig, a Prometheus Operator resource, but prometheus.mode is "chart": add Keep\'s webhook receiver to the chart\'s ' +
        'alertmanager values instead (docs/fitting-the-cluster.md, Alert rules: plain chart or operator), or set prometheus to {"mode": "operator"}.',
    );
  }
  if (problems.length > 0) throw new SettingsError(problems);
  return { ...settings } as unknown as AppSettings;
}

/** The legacy credentials Secret must not be the token's own Secret, nor a second copy of the token. */
function legacyCollisions(settings: Partial<AppSettings>): string[] {
  const legacy = settings.legacyCredentialsFile;
  if (!legacy || legacy.source === 'none') return [];
  const problems: string[] = [];
  const tokenSecret = settings.tokenDelivery === 'shared' ? SHARED_AGENT_SECRET_NAME : DEDICATED_TOKEN_SECRET_NAME;
  if (legacy.secretName === tokenSecret) {
    problems.push(
      `context.legacyCredentialsFile.secretName is "${tokenSecret}", the token's own Secret in ${String(settings.namespace)}: two ExternalSecrets would own one Secret and overwrite each other. ` +
        'Name it something else, e.g. "claude-credentials".',
    );
  }
  if (legacy.source === 'vault' && legacy.vaultProperty === (settings.vault ?? DEFAULT_SETTINGS.vault).field) {
    problems.push(
      `context.legacyCredentialsFile.vaultProperty is "${legacy.vaultProperty}", the token's own field: the token would land in a second Secret as a credentials file. ` +
        'Write the field that holds the .credentials.json, e.g. "claude_credentials_json".',
    );
  }
  return problems;
}
