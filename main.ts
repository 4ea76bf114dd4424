import { mkdirSync, readFileSync, writeFileSync } from 'fs';
import * as path from 'path';
import { App, LocalBackend, TerraformStack } from 'cdktf';
import { DEDICATED_TOKEN_SECRET_NAME, SHARED_AGENT_SECRET_NAME } from './constructs/agent-token-external-secret';
import { Duration } from './inventory/duration';
import { LegacyCredentialsExternalSecretProps } from './constructs/legacy-credentials-external-secret';
import { bundleScripts } from './constructs/script-bundle';
import { DEDICATED_STORE_NAME } from './constructs/vault-cluster-secret-store';
import { DEFAULT_PROBE_NAME, probeSecretName } from './constructs/token-probe';
import { EPOCH_MAP_EXPORT, EpochMapError } from './inventory/epoch-map-file';
import { readTokenInventory, TokenInventory } from './inventory/token-inventory';
import { redactSecrets } from './inventory/token-shape';
import { AppSettings, readAppSettings, SettingsError } from './settings/app-settings';
import { StackName, stackDependencies } from './settings/stack-graph';
import { AGENT_SECRET_ENTRIES } from './stacks/claude-agent-service/agent-secret-entries';
import { ClaudeAgentServiceStack } from './stacks/claude-agent-service/claude-agent-service-stack';
import { MonitoringStack } from './stacks/monitoring/monitoring-stack';
import { VaultAccessStack } from './stacks/vault-access/vault-access-stack';
import { CHART_VALUES_FILE, EPOCH_MAP_FILE, RULES_FILE } from './settings/project-paths';
import { formatSynthSummary } from './stacks/synth-output';

/**
 * The only place that reads configuration: the settings (cdktf.json's `context`, which the
 * environment's `CDKTF_CONTEXT_JSON` may override, validated by settings/app-settings.ts) and the
 * epoch map's source. Everything below receives typed props.
 */
function main(): void {
  const settings = readSettings();
  const app = new App();
  const inventory = readEpochMapChecked(settings);
  for (const warning of inventory.warnings) console.warn(redactSecrets(`WARNING: ${warning}`));

  const cluster = { kubeconfigPath: settings.kubeconfigPath, kubeContext: settings.kubeContext };
  const teamStore = { name: settings.secretStoreName, kind: settings.secretStoreKind };
  // With a store of our own, the token ExternalSecrets read through it (and its least-privilege role);
  // anything else (shared mode's other entries) still reads through the team's store.
  const secretStore = settings.clusterSecretStoreServer ? { name: DEDICATED_STORE_NAME, kind: 'ClusterSecretStore' as const } : teamStore;
  const refreshInterval = durationOf(settings.refreshInterval);
  const tokenSecretName = settings.tokenDelivery === 'shared' ? SHARED_AGENT_SECRET_NAME : DEDICATED_TOKEN_SECRET_NAME;
  const monitoring = new MonitoringStack(app, 'monitoring', {
    cluster,
    namespace: settings.monitoringNamespace,
    runbookUrl: settings.runbookUrl,
    // The same thresholds the inventory's statuses (synth's table, tokens, check) were computed with.
    alerts: { warningBefore: Duration.days(inventory.thresholds.warningDays), criticalBefore: Duration.days(inventory.thresholds.criticalDays) },
    pushgateway: settings.pushgateway,
    ruleDelivery: settings.prometheus.mode === 'chart' ? { mode: 'chart' } : { mode: 'operator', selectorLabels: settings.prometheus.selectorLabels },
    keep: settings.keep,
    tokenProbe: settings.tokenProbe ? {} : undefined,
    drift: settings.driftDetection ? {} : undefined,
    secretSync: {
      namespace: settings.namespace,
      externalSecretNames: [tokenSecretName, ...(settings.tokenProbe ? [probeSecretName(DEFAULT_PROBE_NAME)] : [])],
    },
  });
  const agentService = new ClaudeAgentServiceStack(app, 'claude-agent-service', {
    inventory,
    scripts: bundleScripts(),
    cluster,
    namespace: settings.namespace,
    createNamespace: settings.createNamespace,
    networkPolicies: settings.networkPolicies,
    adoptFromHcl: settings.adoptFromHcl,
    restartAgents: settings.agentWorkload ? { deploymentName: settings.agentWorkload.deployment } : undefined,
    tokenSecret: {
      name: tokenSecretName,
      otherEntries: settings.tokenDelivery === 'shared' ? AGENT_SECRET_ENTRIES.map((entry) => ({ ...entry, store: teamStore })) : undefined,
      secretStore,
      refreshInterval,
    },
    legacyCredentials: legacyCredentialsOf(settings.legacyCredentialsFile),
    monitor: {
      pushgateway: monitoring.pushgateway,
      driftDetection: settings.driftDetection ? { vaultAddress: settings.driftDetection.vaultServer } : undefined,
    },
    tokenProbe: settings.tokenProbe ? { pushgateway: monitoring.pushgateway, refreshInterval, secretStore } : undefined,
  });
  const vaultAccess = new VaultAccessStack(app, 'vault-access', {
    inventory,
    vaultAddress: settings.vaultAddress,
    clusterSecretStore: settings.clusterSecretStoreServer
      ? { server: settings.clusterSecretStoreServer, namespaces: [settings.namespace], cluster }
      : undefined,
    driftDetection: settings.driftDetection
      ? { monitorServiceAccount: { name: agentService.monitor.name, namespace: settings.namespace } }
      : undefined,
  });
  const stacks = { monitoring, 'vault-access': vaultAccess, 'claude-agent-service': agentService };
  for (const [name, dependencies] of Object.entries(stackDependencies(settings)) as Array<[StackName, readonly StackName[]]>) {
    for (const dependency of dependencies) stacks[name].addDependency(stacks[dependency]);
  }
  for (const stack of Object.values(stacks)) keepStateBesideTheRepo(stack);

  app.synth();
  const rulesFile = path.join(app.outdir, RULES_FILE);
  mkdirSync(path.dirname(rulesFile), { recursive: true });
  writeFileSync(rulesFile, monitoring.rulesFile);
  console.log(formatSynthSummary(app.outdir, inventory));
  console.log(`\nPlain Prometheus rules file: ${path.relative(process.cwd(), rulesFile)}`);
  if (monitoring.chartValues) {
    const valuesFile = path.join(app.outdir, CHART_VALUES_FILE);
    writeFileSync(valuesFile, monitoring.chartValues);
    console.log(
      `Rules ship as ConfigMap claude-oauth-token-rules in ${settings.monitoringNamespace}; the prometheus chart ` +
        `(release "${settings.prometheus.mode === 'chart' ? settings.prometheus.release : ''}") loads it once its values include ${path.relative(process.cwd(), valuesFile)} (README, Alert rules: plain chart or operator).`,
    );
  }
}

/** cdktf.json, with the environment's context (set by the cdktf CLI or a caller) on top. */
function readSettings(): AppSettings {
  const file = 'cdktf.json';
  const override = process.env.CDKTF_CONTEXT_JSON;
  return readAppSettings(
    { name: file, text: readFileSync(path.join(__dirname, file), 'utf8') },
    override ? { name: 'CDKTF_CONTEXT_JSON', text: override } : undefined,
  );
}

/** A validated `refreshInterval` (`1h`, `15m`, `90s`) as a Duration. */
function durationOf(text: string): Duration {
  const amount = Number.parseInt(text, 10);
  return text.endsWith('h') ? Duration.hours(amount) : text.endsWith('m') ? Duration.minutes(amount) : Duration.seconds(amount);
}

/**
 * The map as the one reader reads it, validated; then the module itself, loaded only once its text
 * is known to be sound (a syntax error is reported at its line, not as a loader's stack trace), must
 * export exactly what the reader read.
 */
function readEpochMapChecked(settings: AppSettings): TokenInventory {
  const inventory = readTokenInventory(
    { fileName: EPOCH_MAP_FILE, text: readFileSync(path.join(__dirname, EPOCH_MAP_FILE), 'utf8') },
    { thresholds: settings.expiryThresholds },
  );
  let imported: unknown;
  try {
    imported = require(path.join(__dirname, EPOCH_MAP_FILE))[EPOCH_MAP_EXPORT];
  } catch (error) {
    throw new EpochMapError([`${EPOCH_MAP_FILE}: the module does not load (${firstLine(error)}); compare it with 'git diff ${EPOCH_MAP_FILE}'.`]);
  }
  const read = Object.fromEntries(inventory.tokens.map((token) => [token.path, token.mintedAt]));
  if (JSON.stringify(imported) !== JSON.stringify(read)) {
    throw new EpochMapError([
      `${EPOCH_MAP_FILE}: the module exports ${JSON.stringify(imported)} but its text reads ${JSON.stringify(read)}; ` +
        `something in the file changes '${EPOCH_MAP_EXPORT}' after its literal. Keep the file to the literal alone.`,
    ]);
  }
  return inventory;
}

function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split('\n')[0];
}

function legacyCredentialsOf(setting: AppSettings['legacyCredentialsFile']): Omit<LegacyCredentialsExternalSecretProps, 'namespace' | 'vaultSecret'> | false {
  switch (setting.source) {
    case 'none':
      return false;
    case 'vault':
      return { name: setting.secretName, vaultProperty: setting.vaultProperty };
    case 'infisical':
      return { name: setting.secretName, infisical: { store: { name: setting.infisicalStore, kind: 'ClusterSecretStore' } } };
  }
}

/**
 * Terraform runs in `cdktf.out/stacks/<stack>`; a relative path keeps the state file in the repo root
 * and keeps machine paths out of the synth output (so two checkouts synthesize byte-identical JSON).
 * Teams with a remote backend replace this with theirs.
 */
function keepStateBesideTheRepo(stack: TerraformStack): void {
  new LocalBackend(stack, { path: `../../../terraform.${stack.node.id}.tfstate` });
}

try {
  main();
} catch (error) {
  if (error instanceof EpochMapError) {
    console.error(`${error.message}\nNothing was synthesized; fix ${EPOCH_MAP_FILE} and run synth again.`);
  } else if (error instanceof SettingsError) {
    console.error(redactSecrets(`${error.message}\nNothing was synthesized; fix the settings (README, Settings) and run synth again.`));
  } else {
    // A construct's validation message is for people; the stack is for whoever debugs this code.
    console.error(redactSecrets(`synth failed: ${(error as Error)?.message ?? error}\nNothing was synthesized.`));
    if (process.env.CLAUDE_OAUTH_TOKENS_DEBUG) console.error(redactSecrets(String((error as Error)?.stack)));
  }
  process.exitCode = 1;
}
