/**
 * The one boundary where settings enter: `cdktf.json`'s `context`, overridden key by key by
 * `CDKTF_CONTEXT_JSON` (what `cdktf synth --context`-style tooling sets). Every key is type-checked;
 * unknown keys and wrong types are refused, all at once, each naming the file, the key and the fix.
 * main.ts and the tools read the result; everything below receives typed props.
 */

import { DEFAULT_EXPIRY_THRESHOLDS, ExpiryThresholds, expiryThresholdsProblem } from '../inventory/expiry';
import { looksLikeToken, redactSecrets } from '../inventory/token-shape';
import { AGENTS_DEPLOYMENT, AGENTS_NAMESPACE, KUBE_PROMETHEUS_STACK_SELECTOR, MONITORING_NAMESPACE, TEAM_SECRET_STORE, VAULT_AUTH_MOUNT } from './object-names';
import { DEFAULT_PUSHGATEWAY_URL, RestartTarget } from '../lambda-src/contract';
import { DEFAULT_SCRIPT_IMAGE, ignoredFieldProblem, scriptImageProblem } from './script-pods';

/** Where the agents' token reaches the pods. */
export type TokenDelivery = 'dedicated' | 'shared';

/** The older `.credentials.json` login: not delivered, from Vault, or from Infisical. */
export type LegacyCredentialsSetting =
  | { readonly source: 'none' }
  | { readonly source: 'vault'; readonly secretName: string; readonly vaultProperty: string }
  | { readonly source: 'infisical'; readonly secretName: string; readonly infisicalStore: string };

/** How alert rules reach Prometheus. */
export type RuleDeliverySetting =
  | { readonly mode: 'chart'; readonly release: string }
  | { readonly mode: 'operator'; readonly selectorLabels: Readonly<Record<string, string>> };

export type PushgatewaySetting =
  | { readonly existingUrl: string }
  | { readonly deploy: { readonly chartVersion?: string; readonly storageSize?: string; readonly chartRepository?: string } };

/** Where each stack keeps its Terraform state; credentials always come from the environment. */
export type StateBackendSetting =
  | { readonly type: 'local' }
  | { readonly type: 'pg'; readonly schemaPrefix: string }
  | { readonly type: 's3'; readonly bucket: string; readonly keyPrefix: string; readonly region: string }
  | { readonly type: 'http'; readonly address: string };

export interface KeepSetting {
  readonly keepUrl: string;
  readonly apiKeySecret: { readonly name: string; readonly key: string };
  readonly usernameSecret: { readonly name: string; readonly key: string };
}

export interface AppSettings {
  readonly runbookUrl: string;
  /** When a token turns warning and critical: alerts, `tokens status`, synth's table and `check` alike. */
  readonly expiryThresholds: ExpiryThresholds;
  readonly namespace: string;
  readonly createNamespace: boolean;
  readonly monitoringNamespace: string;
  readonly secretStoreName: string;
  readonly secretStoreKind: 'ClusterSecretStore' | 'SecretStore';
  /** How often ESO re-reads Vault: whole hours, minutes or seconds (`1h`, `15m`), at least a minute. */
  readonly refreshInterval: string;
  readonly tokenDelivery: TokenDelivery;
  /** The agents' Deployment to restart onto a new primary token (in `namespace`), or undefined for off. */
  readonly agentWorkload?: { readonly deployment: string };
  readonly legacyCredentialsFile: LegacyCredentialsSetting;
  readonly prometheus: RuleDeliverySetting;
  readonly pushgateway: PushgatewaySetting;
  readonly keep?: KeepSetting;
  readonly tokenProbe: boolean;
  readonly networkPolicies: boolean;
  /** Emit Terraform import blocks for the objects the agents' older HCL stack created. */
  readonly adoptFromHcl: boolean;
  readonly vaultAddress?: string;
  /** Mount path of Vault's Kubernetes auth method, which ESO (and the monitor) log in through. */
  readonly vaultAuthMount: string;
  readonly clusterSecretStoreServer?: string;
  readonly driftDetection?: { readonly vaultServer: string };
  readonly kubeconfigPath?: string;
  readonly kubeContext?: string;
  /** How long a deploy waits for a pod of this project to start before it fails (`2m`): 30 s to 30 min. */
  readonly podStartTimeout: string;
  /** The image every pod of this project runs: fully qualified, pinned by tag or digest. */
  readonly scriptImage: string;
  /** Pod-template fields the cluster's mutating webhooks write, ignored by plans beyond dnsConfig. */
  readonly ignoredPodTemplateFields: readonly string[];
  /** The token's other consumers, restarted (or, with Reloader, waited for) by a deploy that changes primary. */
  readonly tokenConsumers: readonly RestartTarget[];
  /** Where each stack keeps its state: local files by default, or PostgreSQL, S3 or HTTP. */
  readonly stateBackend: StateBackendSetting;
  /**
   * With `tokenDelivery: "shared"`: the agents' Secret's other keys, which this project then owns
   * (names and Vault locations only). Required there: a key not listed would be removed.
   */
  readonly sharedSecretEntries: readonly { readonly secretKey: string; readonly key: string; readonly property: string }[];
}

export const DEFAULT_SETTINGS: AppSettings = {
  runbookUrl: 'https://github.com/your-org/claude-oauth-tokens/blob/main/docs/runbook.md',
  expiryThresholds: DEFAULT_EXPIRY_THRESHOLDS,
  namespace: AGENTS_NAMESPACE,
  createNamespace: false,
  monitoringNamespace: MONITORING_NAMESPACE,
  secretStoreName: TEAM_SECRET_STORE,
  secretStoreKind: 'ClusterSecretStore',
  refreshInterval: '1h',
  tokenDelivery: 'dedicated',
  agentWorkload: { deployment: AGENTS_DEPLOYMENT },
  legacyCredentialsFile: { source: 'vault', secretName: 'claude-credentials', vaultProperty: 'claude_credentials_json' },
  prometheus: { mode: 'chart', release: 'prometheus' },
  pushgateway: { existingUrl: DEFAULT_PUSHGATEWAY_URL },
  tokenProbe: false,
  networkPolicies: false,
  adoptFromHcl: false,
  vaultAuthMount: VAULT_AUTH_MOUNT,
  podStartTimeout: '2m',
  scriptImage: DEFAULT_SCRIPT_IMAGE,
  ignoredPodTemplateFields: [],
  tokenConsumers: [],
  stateBackend: { type: 'local' },
  sharedSecretEntries: [],
};

/** One or more settings are wrong; the message lists each with its fix. */
export class SettingsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`${problems.length} setting${problems.length === 1 ? ' is' : 's are'} wrong:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'SettingsError';
  }
}

type Json = unknown;
type Check<T> = (value: Json, at: string, problems: string[]) => T | undefined;

/** The longest `refreshInterval` accepted: a week. */
const MAX_REFRESH_SECONDS = 7 * 24 * 3600;

/** cdktf's own context keys, which the cdktf CLI adds to `CDKTF_CONTEXT_JSON`. */
const CDKTF_CONTEXT_KEYS = new Set(['cdktfRelativeModules', 'cdktfStaticModuleAssetHash']);

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

const isObject = (value: Json): value is Record<string, Json> => typeof value === 'object' && value !== null && !Array.isArray(value);
/** A value as a message may show it: short, and with any URL's user and password left out. */
const shown = (value: Json) => withoutUserinfo(JSON.stringify(value)?.slice(0, 60) ?? String(value));
const withoutUserinfo = (text: string) => text.replace(/\/\/[^/@\s"]*@/g, '//…@');

const boolean: Check<boolean> = (value, at, problems) => {
  if (typeof value === 'boolean') return value;
  problems.push(`${at} is ${shown(value)}: write true or false (JSON booleans, unquoted).`);
  return undefined;
};

const text =
  (what: string, pattern?: RegExp, example?: string): Check<string> =>
  (value, at, problems) => {
    if (typeof value === 'string' && value !== '' && (!pattern || pattern.test(value))) return value;
    problems.push(`${at} is ${shown(value)}: write ${what}${example ? `, e.g. ${JSON.stringify(example)}` : ''}.`);
    return undefined;
  };

/**
 * An http(s) URL as it lands downstream: in alert annotations (Go templates: no `{`, `}`), in the
 * provider block and the pods' environment. It carries no user or password: settings are committed
 * and copied into the synth output. `fragment: false` where a `#anchor` is appended to it.
 */
const url =
  (example: string, { fragment = true }: { fragment?: boolean } = {}): Check<string> =>
  (value, at, problems) => {
    const parsed = text('an http(s) URL with no spaces', /^https?:\/\/[^\s/?#]+[^\s]*$/, example)(value, at, problems);
    if (parsed === undefined) return undefined;
    let address: URL;
    try {
      address = new URL(parsed);
    } catch {
      problems.push(`${at} is ${shown(parsed)}: not a URL; write e.g. ${JSON.stringify(example)}.`);
      return undefined;
    }
    if (address.username || address.password) {
      problems.push(`${at} holds a user or password in its URL (${shown(parsed)}): settings are committed and copied into the synth output; remove them (credentials come from the environment or Vault).`);
      return undefined;
    }
    if (/[{}<>"\\^`|]/.test(parsed)) {
      problems.push(`${at} is ${shown(parsed)}: a URL cannot hold { } < > " \\ ^ \` or | unencoded (Prometheus would read {{ as a template); percent-encode them.`);
      return undefined;
    }
    if (!fragment && parsed.includes('#')) {
      problems.push(`${at} is ${shown(parsed)}: write it without a #fragment; each alert appends the anchor of its runbook section.`);
      return undefined;
    }
    return parsed;
  };
const namespaceName = text('a Kubernetes namespace name (lowercase letters, digits and -)', DNS_LABEL, 'claude-agent');

/** `null` or absent means "off"; anything else must pass `check`. */
const optional =
  <T>(check: Check<T>): Check<T | undefined> =>
  (value, at, problems) =>
    value === null || value === undefined ? undefined : check(value, at, problems);

/** An object with exactly these keys (those not in `optionalKeys` required). */
function object<T>(shape: { readonly [K in keyof T]-?: Check<T[K]> }, example: string, optionalKeys: ReadonlyArray<keyof T> = []): Check<T> {
  return (value, at, problems) => {
    if (!isObject(value)) {
      problems.push(`${at} is ${shown(value)}: write an object, e.g. ${example}.`);
      return undefined;
    }
    const before = problems.length;
    const result: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const key of Object.keys(value)) {
      if (!Object.hasOwn(shape, key)) problems.push(`${at}.${key} is not a setting here; the keys are ${Object.keys(shape).join(', ')}.`);
    }
    for (const [key, check] of Object.entries<Check<unknown>>(shape)) {
      if (!Object.hasOwn(value, key) && (optionalKeys as ReadonlyArray<string | number | symbol>).includes(key)) continue;
      if (!Object.hasOwn(value, key)) {
        problems.push(`${at}.${key} is missing, e.g. ${example}.`);
        continue;
      }
      result[key] = check(value[key], `${at}.${key}`, problems);
    }
    return problems.length === before ? (result as T) : undefined;
  };
}

const secretKeyReference = object<{ name: string; key: string }>(
  { name: text('a Secret name'), key: text('a key of that Secret') },
  '{"name": "keep-api", "key": "api-key"}',
);

const stringMap: Check<Record<string, string>> = (value, at, problems) => {
  if (isObject(value) && Object.keys(value).length > 0 && Object.values(value).every((v) => typeof v === 'string' && v !== '')) {
    return value as Record<string, string>;
  }
  problems.push(`${at} is ${shown(value)}: write labels as an object of strings, e.g. {"release": "kube-prometheus-stack"}.`);
  return undefined;
};

const legacyCredentials: Check<LegacyCredentialsSetting> = (value, at, problems) => {
  const defaults = DEFAULT_SETTINGS.legacyCredentialsFile as Extract<LegacyCredentialsSetting, { source: 'vault' }>;
  if (value === false) return { source: 'none' };
  if (value === true) return defaults;
  const example = '{"secretName": "claude-credentials", "vaultProperty": "claude_credentials_json"} or {"infisicalStore": "infisical"}';
  if (isObject(value) && 'infisicalStore' in value) {
    const parsed = object<{ infisicalStore: string; secretName: string }>(
      { infisicalStore: text('the name of the ESO store for Infisical'), secretName: text('a Secret name') },
      example,
      ['secretName'],
    )(value, at, problems);
    return parsed && { source: 'infisical', secretName: parsed.secretName ?? defaults.secretName, infisicalStore: parsed.infisicalStore };
  }
  if (isObject(value)) {
    const parsed = object<{ secretName: string; vaultProperty: string }>(
      { secretName: text('a Secret name'), vaultProperty: text('a field of the primary token\'s Vault secret') },
      example,
      ['secretName', 'vaultProperty'],
    )(value, at, problems);
    return parsed && { source: 'vault', secretName: parsed.secretName ?? defaults.secretName, vaultProperty: parsed.vaultProperty ?? defaults.vaultProperty };
  }
  problems.push(`${at} is ${shown(value)}: write true (from Vault), false (not delivered), or ${example}.`);
  return undefined;
};

const prometheus: Check<RuleDeliverySetting> = (value, at, problems) => {
  const example = '{"mode": "chart", "release": "prometheus"} or {"mode": "operator", "selectorLabels": {"release": "kube-prometheus-stack"}}';
  if (isObject(value) && value.mode === 'chart') {
    const parsed = object<{ mode: string; release: string }>({ mode: text('chart'), release: text('the Helm release name of the prometheus chart', DNS_LABEL) }, example, ['release'])(value, at, problems);
    return parsed && { mode: 'chart', release: parsed.release ?? 'prometheus' };
  }
  if (isObject(value) && value.mode === 'operator') {
    const parsed = object<{ mode: string; selectorLabels: Record<string, string> }>({ mode: text('operator'), selectorLabels: stringMap }, example, ['selectorLabels'])(value, at, problems);
    return parsed && { mode: 'operator', selectorLabels: parsed.selectorLabels ?? KUBE_PROMETHEUS_STACK_SELECTOR };
  }
  problems.push(`${at} is ${shown(value)}: write ${example}.`);
  return undefined;
};

const pushgateway: Check<PushgatewaySetting> = (value, at, problems) => {
  const example = '{"existingUrl": "http://prometheus-prometheus-pushgateway.monitoring:9091"} or {"deploy": {}}';
  if (isObject(value) && 'existingUrl' in value) {
    return object<{ existingUrl: string }>({ existingUrl: url('http://prometheus-prometheus-pushgateway.monitoring:9091') }, example)(value, at, problems);
  }
  if (isObject(value) && 'deploy' in value) {
    return object<{ deploy: { chartVersion?: string; storageSize?: string; chartRepository?: string } }>(
      {
        deploy: object(
          {
            chartVersion: text('a chart version', /^\d+\.\d+\.\d+$/, '3.2.0'),
            storageSize: text('a storage quantity', /^\d+(Mi|Gi)$/, '1Gi'),
            chartRepository: url('https://charts.example.com/prometheus-community'),
          },
          '{}',
          ['chartVersion', 'storageSize', 'chartRepository'],
        ),
      },
      example,
    )(value, at, problems);
  }
  problems.push(`${at} is ${shown(value)}: write ${example}.`);
  return undefined;
};

const wholeDays: Check<number> = (value, at, problems) => {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  problems.push(`${at} is ${shown(value)}: write a whole number of days.`);
  return undefined;
};

const SETTINGS: { readonly [K in keyof AppSettings]-?: Check<AppSettings[K]> } = {
  runbookUrl: url('https://github.com/your-org/claude-oauth-tokens/blob/main/docs/runbook.md', { fragment: false }),
  expiryThresholds: (value, at, problems) => {
    const parsed = object<ExpiryThresholds>({ warningDays: wholeDays, criticalDays: wholeDays }, '{"warningDays": 30, "criticalDays": 7}')(value, at, problems);
    const problem = parsed && expiryThresholdsProblem(parsed);
    if (problem) problems.push(`${at}: ${problem}`);
    return problem ? undefined : parsed;
  },
  namespace: namespaceName,
  createNamespace: boolean,
  monitoringNamespace: namespaceName,
  secretStoreName: text('the name of the ESO store', DNS_LABEL, 'vault-kv'),
  secretStoreKind: text('ClusterSecretStore or SecretStore', /^(ClusterSecretStore|SecretStore)$/) as Check<AppSettings['secretStoreKind']>,
  refreshInterval: (value, at, problems) => {
    const parsed = text('whole hours, minutes or seconds of at least a minute', /^[1-9]\d{0,5}(h|m|s)$/, '1h')(value, at, problems);
    if (parsed === undefined) return undefined;
    const seconds = Number.parseInt(parsed, 10) * { h: 3600, m: 60, s: 1 }[parsed.slice(-1) as 'h' | 'm' | 's'];
    if (seconds < 60) {
      problems.push(`${at} is "${parsed}": ESO would re-read Vault more than once a minute; write at least "1m".`);
      return undefined;
    }
    if (seconds > MAX_REFRESH_SECONDS) {
      problems.push(`${at} is "${parsed}": longer than a week, so a token stored in Vault could take that long to reach the pods; write at most "168h".`);
      return undefined;
    }
    return parsed;
  },
  tokenDelivery: text('"dedicated" (a Secret of its own) or "shared" (this project owns claude-agent-secrets whole)', /^(dedicated|shared)$/) as Check<TokenDelivery>,
  agentWorkload: (value, at, problems) =>
    value === false
      ? undefined
      : object<{ deployment: string }>({ deployment: text('the name of the agents\' Deployment', DNS_LABEL, 'claude-agent-service') }, '{"deployment": "claude-agent-service"} or false')(value, at, problems),
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
  vaultAddress: optional(url('https://vault.example.com:8200')),
  vaultAuthMount: text('a Vault auth mount path (letters, digits, -, _ and /)', /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/, 'kubernetes'),
  clusterSecretStoreServer: optional(url('https://vault.vault:8200')),
  driftDetection: optional(object<{ vaultServer: string }>({ vaultServer: url('https://vault.vault:8200') }, '{"vaultServer": "https://vault.vault:8200"}')),
  kubeconfigPath: optional(text('a path to a kubeconfig file')),
  kubeContext: optional(text('a kubeconfig context name')),
  podStartTimeout: (value, at, problems) => {
    const parsed = text('whole minutes or seconds', /^[1-9]\d{0,4}(m|s)$/, '2m')(value, at, problems);
    if (parsed === undefined) return undefined;
    const seconds = Number.parseInt(parsed, 10) * (parsed.endsWith('m') ? 60 : 1);
    if (seconds < 30 || seconds > 1800) {
      problems.push(`${at} is "${parsed}": write between "30s" and "30m" (a slow image pull needs more than the default "2m"; a deploy should not wait longer than half an hour to say a pod cannot start).`);
      return undefined;
    }
    return parsed;
  },
  scriptImage: (value, at, problems) => {
    const parsed = text('an image reference')(value, at, problems);
    const problem = parsed === undefined ? undefined : scriptImageProblem(parsed);
    if (problem) problems.push(`${at}: ${problem}`);
    return problem ? undefined : parsed;
  },
  sharedSecretEntries: (value, at, problems) => {
    const example = '[{"secretKey": "GITHUB_TOKEN", "key": "viktor", "property": "github_pat"}]';
    if (!Array.isArray(value)) {
      problems.push(`${at} is ${shown(value)}: write a list of entries, e.g. ${example}.`);
      return undefined;
    }
    const before = problems.length;
    const entries = value.flatMap((item, index) => {
      const parsed = object<{ secretKey: string; key: string; property: string }>(
        {
          secretKey: text('an environment variable name', /^[A-Za-z_][A-Za-z0-9_]*$/, 'GITHUB_TOKEN'),
          key: text('a Vault secret under the store\'s mount', /^[\w.-]+(\/[\w.-]+)*$/, 'ci/global'),
          property: text('a field of that secret', /^[\w.-]+$/, 'github_pat'),
        },
        example,
      )(item, `${at}[${index}]`, problems);
      return parsed ? [parsed] : [];
    });
    const keys = entries.map((entry) => entry.secretKey);
    keys.forEach((key, index) => {
      if (keys.indexOf(key) !== index) problems.push(`${at}: ${key} is listed twice; each key of the Secret once.`);
    });
    return problems.length === before ? entries : undefined;
  },
  stateBackend: (value, at, problems) => {
    const example = '{"type": "pg", "schemaPrefix": "claude_oauth_tokens_"} (PG_CONN_STR from the environment)';
    const type = isObject(value) ? value.type : undefined;
    switch (type) {
      case 'local':
        return object<{ type: string }>({ type: text('local') }, example)(value, at, problems) && { type: 'local' };
      case 'pg': {
        const parsed = object<{ type: string; schemaPrefix: string }>({ type: text('pg'), schemaPrefix: text('a schema name prefix', /^[a-z_][a-z0-9_]{0,40}$/, 'claude_oauth_tokens_') }, example)(value, at, problems);
        return parsed && { type: 'pg', schemaPrefix: parsed.schemaPrefix };
      }
      case 's3': {
        const parsed = object<{ type: string; bucket: string; keyPrefix: string; region: string }>(
          { type: text('s3'), bucket: text('an S3 bucket name', /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/), keyPrefix: text('a key prefix', /^[\w./-]*$/, 'claude-oauth-tokens/'), region: text('an AWS region', /^[a-z]{2}-[a-z]+-\d$/, 'eu-west-1') },
          '{"type": "s3", "bucket": "tf-state", "keyPrefix": "claude-oauth-tokens/", "region": "eu-west-1"}',
        )(value, at, problems);
        return parsed && { type: 's3', bucket: parsed.bucket, keyPrefix: parsed.keyPrefix, region: parsed.region };
      }
      case 'http': {
        const parsed = object<{ type: string; address: string }>({ type: text('http'), address: url('https://state.example.com/claude-oauth-tokens/') }, '{"type": "http", "address": "https://state.example.com/claude-oauth-tokens/"}')(value, at, problems);
        if (parsed && !parsed.address.endsWith('/')) {
          problems.push(`${at}.address must end with '/': each stack's name is appended to it.`);
          return undefined;
        }
        return parsed && { type: 'http', address: parsed.address };
      }
      default:
        problems.push(`${at} is ${shown(value)}: write {"type": "local"}, ${example}, an s3 or an http backend (docs/fitting-the-cluster.md, Settings). Credentials come from the environment, never from here.`);
        return undefined;
    }
  },
  tokenConsumers: (value, at, problems) => {
    const example = '[{"kind": "Deployment", "namespace": "hermes", "name": "hermes-agent", "externalSecret": "hermes-agent-secrets", "reloader": true}]';
    if (!Array.isArray(value)) {
      problems.push(`${at} is ${shown(value)}: write a list of workloads, e.g. ${example}.`);
      return undefined;
    }
    const before = problems.length;
    const consumers: RestartTarget[] = [];
    const seen = new Map<string, number>();
    const objectName = text('a Kubernetes object name', /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/);
    value.forEach((item, index) => {
      const where = `${at}[${index}]`;
      const parsed = object<{ kind: string; namespace: string; name: string; externalSecret: unknown; reloader: boolean }>(
        {
          kind: text('Deployment or StatefulSet', /^(Deployment|StatefulSet)$/),
          namespace: namespaceName,
          name: objectName,
          externalSecret: (es, esAt, esProblems) =>
            typeof es === 'string'
              ? objectName(es, esAt, esProblems)
              : object<{ namespace: string; name: string }>({ namespace: namespaceName, name: objectName }, '{"namespace": "hermes", "name": "hermes-agent-secrets"}')(es, esAt, esProblems),
          reloader: boolean,
        },
        example,
        ['reloader'],
      )(item, where, problems);
      if (!parsed) return;
      const key = `${parsed.kind} ${parsed.namespace}/${parsed.name}`;
      if (seen.has(key)) problems.push(`${where}: ${key} is listed twice (also at [${seen.get(key)}]); list each consumer once.`);
      seen.set(key, index);
      const es = parsed.externalSecret as string | { namespace: string; name: string };
      consumers.push({
        externalSecret: typeof es === 'string' ? { namespace: parsed.namespace, name: es } : es,
        workload: { kind: parsed.kind as 'Deployment' | 'StatefulSet', namespace: parsed.namespace, name: parsed.name },
        ...(parsed.reloader ? { reloader: true } : {}),
      });
    });
    return problems.length === before ? consumers : undefined;
  },
  ignoredPodTemplateFields: (value, at, problems) => {
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
      problems.push(`${at} is ${shown(value)}: write a list of attribute paths, e.g. ["spec[0].toleration"].`);
      return undefined;
    }
    const found = value.flatMap((field, index) => {
      const problem = ignoredFieldProblem(field);
      return problem ? [`${at}[${index}]: ${problem}`] : [];
    });
    problems.push(...found);
    return found.length > 0 ? undefined : value;
  },
};

/** A JSON document as text, and its name for messages (`cdktf.json`, `CDKTF_CONTEXT_JSON`). */
export interface SettingsSource {
  readonly name: string;
  readonly text: string;
}

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
      if (!Object.hasOwn(SETTINGS, key)) {
        problems.push(`${at} is not a setting; the settings are ${Object.keys(SETTINGS).join(', ')} (docs/fitting-the-cluster.md, Settings).`);
        continue;
      }
      const parsed = SETTINGS[key as keyof AppSettings](value, at, problems);
      settings[key] = value === null ? undefined : parsed;
    }
  }
  if (settings.tokenDelivery === 'shared' && (settings.sharedSecretEntries as readonly unknown[]).length === 0) {
    problems.push(
      'tokenDelivery is "shared" but sharedSecretEntries is empty: this project would own claude-agent-secrets whole and remove every other key. ' +
        'List them (names and Vault locations), as the existing ExternalSecret has them: kubectl -n <namespace> get externalsecret claude-agent-secrets -o json | ' +
        `jq -c '[.spec.data[] | select(.secretKey != "CLAUDE_CODE_OAUTH_TOKEN") | {secretKey, key: .remoteRef.key, property: .remoteRef.property}]'`,
    );
  }
  if (problems.length > 0) throw new SettingsError(problems);
  return { ...settings } as unknown as AppSettings;
}

/**
 * Settings are reviewed, committed and copied into the synth output (a URL into every alert, a context
 * into the provider block): a credential in one would land in all of those, so it is refused, shown by
 * its prefix and length only.
 */
function credentialsIn(value: Json, at: string): string[] {
  if (typeof value === 'string') {
    return looksLikeToken(value) ? [`${at} holds a credential (${redactSecrets(value)}): settings are not secret; keep it in Vault and remove it here.`] : [];
  }
  if (Array.isArray(value)) return value.flatMap((item, index) => credentialsIn(item, `${at}[${index}]`));
  if (isObject(value)) return Object.entries(value).flatMap(([key, item]) => [...(looksLikeToken(key) ? [`${at} has a credential as a key: remove it.`] : []), ...credentialsIn(item, `${at}.${key}`)]);
  return [];
}

/**
 * Terraform reads `${…}` and `%{…}` in its JSON as templates. Synth escapes every literal it writes,
 * so such a setting would reach Terraform as the literal text, never evaluated: whoever wrote it
 * expected something else, and no name or URL here holds one. Refused, with the place.
 */
function templateSequencesIn(value: Json, at: string): string[] {
  const sequence = (text: string) => /\$\{|%\{/.exec(text)?.[0];
  if (typeof value === 'string') {
    const found = sequence(value);
    return found ? [`${at} holds "${found}" (Terraform template syntax): settings are copied as literal text and never interpolated; write the value itself.`] : [];
  }
  if (Array.isArray(value)) return value.flatMap((item, index) => templateSequencesIn(item, `${at}[${index}]`));
  if (isObject(value)) {
    return Object.entries(value).flatMap(([key, item]) => [
      ...(sequence(key) ? [`${at} has the key ${JSON.stringify(key)}, which holds Terraform template syntax: write the key itself.`] : []),
      ...templateSequencesIn(item, `${at}.${key}`),
    ]);
  }
  return [];
}

function parseJson(source: SettingsSource, problems: string[]): Json {
  try {
    const parsed: Json = JSON.parse(source.text);
    for (const { key, offset } of duplicateKeys(source.text)) {
      problems.push(`${source.name}:${lineAndColumn(source.text, offset)}: ${JSON.stringify(key)} appears twice in one object, and JSON keeps only the last; keep one.`);
    }
    return parsed;
  } catch (error) {
    const message = (error as Error).message;
    const position = /at position (\d+)/.exec(message)?.[1];
    const where = position === undefined ? '' : `:${lineAndColumn(source.text, Number(position))}`;
    problems.push(`${source.name}${where}: not valid JSON (${message.replace(/ in JSON at position \d+.*$/, '')}); fix the syntax there.`);
    return undefined;
  }
}

/** Keys written twice in one object of `text` (valid JSON), each with the offset of its second use. */
function duplicateKeys(text: string): { key: string; offset: number }[] {
  const found: { key: string; offset: number }[] = [];
  // One entry per open container: the keys seen so far in an object, null in an array.
  const open: (Set<string> | null)[] = [];
  let expectingKey = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const keys = open[open.length - 1];
      if (expectingKey && keys) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (keys.has(key)) found.push({ key, offset: i });
        keys.add(key);
        expectingKey = false;
      }
      i = end;
    } else if (char === '{') {
      open.push(new Set());
      expectingKey = true;
    } else if (char === '[') {
      open.push(null);
    } else if (char === '}' || char === ']') {
      open.pop();
    } else if (char === ',') {
      expectingKey = open[open.length - 1] !== null;
    }
  }
  return found;
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `${before.length}:${before[before.length - 1].length + 1}`;
}
