/**
 * The settings whose check is more than one of setting-checks.ts: objects with choices, lists, bounded
 * durations, and values checked for where they land (an image, the state backend, the consumers).
 */

import { expiryThresholdsProblem, ExpiryThresholds } from '../inventory/expiry';
import { RestartTarget } from '../lambda-src/contract';
import { KUBE_PROMETHEUS_STACK_SELECTOR } from './object-names';
import { ignoredFieldProblem, scriptImageProblem } from './script-pods';
import { boolean, Check, isObject, namespaceName, object, shown, text, wholeDays } from './setting-checks';
import { labelMap, labelName, objectName, url, vaultPath } from './destinations';
import { AppSettings, DEFAULT_SETTINGS, LegacyCredentialsSetting, PushgatewaySetting, RuleDeliverySetting } from './settings-model';

/** The longest `refreshInterval` accepted: a week. */
export const MAX_REFRESH_SECONDS = 7 * 24 * 3600;

export const legacyCredentials: Check<LegacyCredentialsSetting> = (value, at, problems) => {
  const defaults = DEFAULT_SETTINGS.legacyCredentialsFile as Extract<LegacyCredentialsSetting, { source: 'vault' }>;
  if (value === false) return { source: 'none' };
  if (value === true) return defaults;
  const example = '{"secretName": "claude-credentials", "vaultProperty": "claude_credentials_json"} or {"infisicalStore": "infisical"}';
  if (isObject(value) && 'infisicalStore' in value) {
    const parsed = object<{ infisicalStore: string; secretName: string }>(
      { infisicalStore: objectName('the name of the ESO store for Infisical', 'infisical'), secretName: objectName('a Secret name', 'claude-credentials') },
      example,
      ['secretName'],
    )(value, at, problems);
    return parsed && { source: 'infisical', secretName: parsed.secretName ?? defaults.secretName, infisicalStore: parsed.infisicalStore };
  }
  if (isObject(value)) {
    const parsed = object<{ secretName: string; vaultProperty: string }>(
      { secretName: objectName('a Secret name', 'claude-credentials'), vaultProperty: text('a field of the primary token\'s Vault secret', /^[\w.-]{1,128}$/, 'claude_credentials_json') },
      example,
      ['secretName', 'vaultProperty'],
    )(value, at, problems);
    return parsed && { source: 'vault', secretName: parsed.secretName ?? defaults.secretName, vaultProperty: parsed.vaultProperty ?? defaults.vaultProperty };
  }
  problems.push(`${at} is ${shown(value)}: write true (from Vault), false (not delivered), or ${example}.`);
  return undefined;
};

export const prometheus: Check<RuleDeliverySetting> = (value, at, problems) => {
  const example = '{"mode": "chart", "release": "prometheus"} or {"mode": "operator", "selectorLabels": {"release": "kube-prometheus-stack"}}';
  if (isObject(value) && value.mode === 'chart') {
    const parsed = object<{ mode: string; release: string }>({ mode: text('chart'), release: labelName('the Helm release name of the prometheus chart', 'prometheus') }, example, ['release'])(value, at, problems);
    return parsed && { mode: 'chart', release: parsed.release ?? 'prometheus' };
  }
  if (isObject(value) && value.mode === 'operator') {
    const parsed = object<{ mode: string; selectorLabels: Record<string, string> }>({ mode: text('operator'), selectorLabels: labelMap }, example, ['selectorLabels'])(value, at, problems);
    return parsed && { mode: 'operator', selectorLabels: parsed.selectorLabels ?? KUBE_PROMETHEUS_STACK_SELECTOR };
  }
  problems.push(`${at} is ${shown(value)}: write ${example}.`);
  return undefined;
};

export const pushgateway: Check<PushgatewaySetting> = (value, at, problems) => {
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
            chartRepository: url('https://charts.example.com/prometheus-community', { fragment: false }),
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


export const expiryThresholds: Check<AppSettings['expiryThresholds']> = (value, at, problems) => {
  const parsed = object<ExpiryThresholds>({ warningDays: wholeDays, criticalDays: wholeDays }, '{"warningDays": 30, "criticalDays": 7}')(value, at, problems);
  const problem = parsed && expiryThresholdsProblem(parsed);
  if (problem) problems.push(`${at}: ${problem}`);
  return problem ? undefined : parsed;
};

export const refreshInterval: Check<AppSettings['refreshInterval']> = (value, at, problems) => {
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
};

export const podStartTimeout: Check<AppSettings['podStartTimeout']> = (value, at, problems) => {
  const parsed = text('whole minutes or seconds', /^[1-9]\d{0,4}(m|s)$/, '2m')(value, at, problems);
  if (parsed === undefined) return undefined;
  const seconds = Number.parseInt(parsed, 10) * (parsed.endsWith('m') ? 60 : 1);
  if (seconds < 30 || seconds > 1800) {
    problems.push(`${at} is "${parsed}": write between "30s" and "30m" (a slow image pull needs more than the default "2m"; a deploy should not wait longer than half an hour to say a pod cannot start).`);
    return undefined;
  }
  return parsed;
};

export const scriptImage: Check<AppSettings['scriptImage']> = (value, at, problems) => {
  const parsed = text('an image reference')(value, at, problems);
  const problem = parsed === undefined ? undefined : scriptImageProblem(parsed);
  if (problem) problems.push(`${at}: ${problem}`);
  return problem ? undefined : parsed;
};

export const sharedSecretEntries: Check<AppSettings['sharedSecretEntries']> = (value, at, problems) => {
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
        key: vaultPath('a Vault secret under the store\'s mount', 'ci/global'),
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
};

export const stateBackend: Check<AppSettings['stateBackend']> = (value, at, problems) => {
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
      const parsed = object<{ type: string; address: string }>({ type: text('http'), address: url('https://state.example.com/claude-oauth-tokens/', { fragment: false, plainHttp: 'loopback' }) }, '{"type": "http", "address": "https://state.example.com/claude-oauth-tokens/"}')(value, at, problems);
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
};

export const tokenConsumers: Check<AppSettings['tokenConsumers']> = (value, at, problems) => {
  const example = '[{"kind": "Deployment", "namespace": "hermes", "name": "hermes-agent", "externalSecret": "hermes-agent-secrets", "reloader": true}]';
  if (!Array.isArray(value)) {
    problems.push(`${at} is ${shown(value)}: write a list of workloads, e.g. ${example}.`);
    return undefined;
  }
  const before = problems.length;
  const consumers: RestartTarget[] = [];
  const seen = new Map<string, number>();
  const workloadName = objectName('a Kubernetes object name', 'hermes-agent');
  value.forEach((item, index) => {
    const where = `${at}[${index}]`;
    const parsed = object<{ kind: string; namespace: string; name: string; externalSecret: unknown; reloader: boolean }>(
      {
        kind: text('Deployment or StatefulSet', /^(Deployment|StatefulSet)$/),
        namespace: namespaceName,
        name: workloadName,
        externalSecret: (es, esAt, esProblems) =>
          typeof es === 'string'
            ? workloadName(es, esAt, esProblems)
            : object<{ namespace: string; name: string }>({ namespace: namespaceName, name: workloadName }, '{"namespace": "hermes", "name": "hermes-agent-secrets"}')(es, esAt, esProblems),
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
};

export const ignoredPodTemplateFields: Check<AppSettings['ignoredPodTemplateFields']> = (value, at, problems) => {
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
};
