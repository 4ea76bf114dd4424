import { mkdirSync, writeFileSync } from 'fs';
import * as path from 'path';
import { App } from 'cdktf';
import { Duration } from './inventory/duration';
import { LegacyCredentialsExternalSecretProps } from './constructs/legacy-credentials-external-secret';
import { bundleScripts } from './constructs/script-bundle';
import { DEDICATED_STORE_NAME } from './constructs/vault-cluster-secret-store';
import { DEFAULT_PROBE_NAME, probeSecretName } from './constructs/token-probe';
import { EpochMapError } from './inventory/epoch-map-file';
import { redactSecrets, showArgument } from './inventory/token-shape';
import { AppSettings, DEFAULT_SETTINGS, durationOf, SettingsError } from './settings/app-settings';
import { readProjectSettings } from './settings/settings-file';
import { readEpochMapChecked } from './settings/epoch-map-module';
import { tokenExternalSecretName } from './settings/token-consumers';
import { deployCommand, StackName, stackDependencies } from './settings/stack-graph';
import { ClaudeAgentServiceStack } from './stacks/claude-agent-service/claude-agent-service-stack';
import { MonitoringStack } from './stacks/monitoring/monitoring-stack';
import { VaultAccessStack } from './stacks/vault-access/vault-access-stack';
import { CHART_VALUES_FILE, EPOCH_MAP_FILE, RULES_FILE } from './settings/project-paths';
import { formatSynthSummary } from './stacks/synth-output';
import { useStateBackend } from './stacks/state-backend';

/** One synth: where it reads its inputs, where it writes, and where it reports. */
export interface SynthRun {
  /** The project folder whose `cdktf.json` and epoch map are read; printed paths are relative to it. */
  readonly projectDir: string;
  /** Settings on top of `cdktf.json`'s context, as JSON (what `CDKTF_CONTEXT_JSON` holds). */
  readonly contextOverride?: string;
  /** Where the Terraform JSON and the rules file go. */
  readonly outdir: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Print a failed construct's stack trace too. */
  readonly debug?: boolean;
}

/**
 * Synthesizes the three stacks: 0 when they were written, 1 with a message for people (and nothing
 * written) when the settings, the map or a construct's validation refuses.
 */
export function runSynth(run: SynthRun): number {
  try {
    synthesize(run);
    return 0;
  } catch (error) {
    if (error instanceof EpochMapError) {
      run.stderr(`${error.message}\nNothing was synthesized; fix ${EPOCH_MAP_FILE} and run synth again.`);
    } else if (error instanceof SettingsError) {
      run.stderr(redactSecrets(`${error.message}\nNothing was synthesized; fix the settings (docs/fitting-the-cluster.md, Settings) and run synth again.`));
    } else {
      // A construct's validation message is for people; the stack is for whoever debugs this code.
      run.stderr(redactSecrets(`synth failed: ${(error as Error)?.message ?? String(error)}\nNothing was synthesized.`));
      if (run.debug) run.stderr(redactSecrets(String((error as Error)?.stack)));
    }
    return 1;
  }
}

/**
 * The only place that reads configuration: the settings (cdktf.json's `context`, which the
 * environment's `CDKTF_CONTEXT_JSON` may override, validated by settings/app-settings.ts) and the
 * epoch map's source. Everything below receives typed props.
 */
function synthesize(run: SynthRun): void {
  const settings = readSettings(run);
  const inventory = readEpochMapChecked(run.projectDir, settings);
  for (const warning of inventory.warnings) run.stderr(redactSecrets(`WARNING: ${warning}`));
  if (settings.runbookUrl === DEFAULT_SETTINGS.runbookUrl) {
    run.stderr(
      `WARNING: cdktf.json context.runbookUrl is still the placeholder ${DEFAULT_SETTINGS.runbookUrl}: every alert links there. ` +
        "Set it to where your team reads docs/runbook.md (its sections are the alerts' runbooks).",
    );
  }
  const app = new App({ outdir: run.outdir });

  const cluster = { kubeconfigPath: settings.kubeconfigPath, kubeContext: settings.kubeContext };
  const teamStore = { name: settings.secretStoreName, kind: settings.secretStoreKind };
  // With a store of our own, the token ExternalSecrets read through it (and its least-privilege role);
  // anything else (shared mode's other entries) still reads through the team's store.
  const secretStore = settings.clusterSecretStoreServer ? { name: DEDICATED_STORE_NAME, kind: 'ClusterSecretStore' as const } : teamStore;
  const refreshInterval = durationOf(settings.refreshInterval);
  const tokenSecretName = tokenExternalSecretName(settings);
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
    pods: { image: settings.scriptImage, ignoredPodTemplateFields: settings.ignoredPodTemplateFields },
    restartAgents:
      settings.agentWorkload || settings.tokenConsumers.length > 0 ? { agentWorkload: settings.agentWorkload, consumers: settings.tokenConsumers } : undefined,
    tokenSecret: {
      name: tokenSecretName,
      otherEntries: settings.tokenDelivery === 'shared' ? settings.sharedSecretEntries.map((entry) => ({ ...entry, store: teamStore })) : undefined,
      secretStore,
      refreshInterval,
    },
    podStartTimeout: durationOf(settings.podStartTimeout),
    legacyCredentials: legacyCredentialsOf(settings.legacyCredentialsFile),
    monitor: {
      pushgateway: monitoring.pushgateway,
      driftDetection: settings.driftDetection
        ? { vaultAddress: settings.driftDetection.vaultServer, authMount: settings.vault.authMount, audience: settings.vault.audience }
        : undefined,
    },
    tokenProbe: settings.tokenProbe ? { pushgateway: monitoring.pushgateway, refreshInterval, secretStore } : undefined,
  });
  const vaultAccess = new VaultAccessStack(app, 'vault-access', {
    inventory,
    vaultAddress: settings.vaultAddress,
    authMount: settings.vault.authMount,
    audience: settings.vault.audience,
    esoServiceAccount: settings.vault.esoServiceAccount,
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
  for (const stack of Object.values(stacks)) useStateBackend(stack, settings.stateBackend);

  app.synth();
  const rulesFile = path.join(app.outdir, RULES_FILE);
  mkdirSync(path.dirname(rulesFile), { recursive: true });
  writeFileSync(rulesFile, monitoring.rulesFile);
  run.stdout(formatSynthSummary(app.outdir, inventory, run.projectDir));
  run.stdout(`\nPlain Prometheus rules file: ${path.relative(run.projectDir, rulesFile)}`);
  if (monitoring.chartValues) {
    const valuesFile = path.join(app.outdir, CHART_VALUES_FILE);
    writeFileSync(valuesFile, monitoring.chartValues);
    run.stdout(
      `Rules ship as ConfigMap claude-oauth-token-rules in ${settings.monitoringNamespace}; the prometheus chart ` +
        `(release "${settings.prometheus.mode === 'chart' ? settings.prometheus.release : ''}") loads it once its values include ${path.relative(run.projectDir, valuesFile)} (docs/fitting-the-cluster.md, Alert rules: plain chart or operator).`,
    );
  }
  if (!settings.clusterSecretStoreServer) {
    run.stdout(
      `The token's ExternalSecrets read through the team's store ${settings.secretStoreName}, with that store's Vault role: vault-access's least-privilege ` +
        'policy guards them only through a store of its own (clusterSecretStoreServer; docs/fitting-the-cluster.md, A store of its own).',
    );
  }
  run.stdout(`\nNext: the prerequisites (docs/deploying.md), then: ${deployCommand(['monitoring', 'vault-access', 'claude-agent-service'], settings)}`);
}

/** cdktf.json, with the environment's context (set by the cdktf CLI or a caller) on top. */
function readSettings(run: SynthRun): AppSettings {
  return readProjectSettings(run.projectDir, run.contextOverride);
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


/** What `npm run synth -- --help` prints. */
export const SYNTH_HELP = `Usage: npm run synth

Synthesizes the three stacks (monitoring, vault-access, claude-agent-service) from cdktf.json's
context and the epoch map into cdktf.out/ (CDKTF_OUTDIR), offline, and prints the stacks, their
resources and the token table. Exit 1, with the fix and nothing written, on a bad setting or map.
Settings may be overridden with CDKTF_CONTEXT_JSON; it takes no arguments.

Example: npm run synth`;

if (require.main === module) {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(SYNTH_HELP);
    process.exit(0);
  }
  if (args.length > 0) {
    console.error(`synth takes no arguments, got ${args.map((arg) => `'${showArgument(arg)}'`).join(' ')}.\n\n${SYNTH_HELP}`);
    process.exit(1);
  }
  process.exitCode = runSynth({
    projectDir: __dirname,
    contextOverride: process.env.CDKTF_CONTEXT_JSON,
    outdir: process.env.CDKTF_OUTDIR ?? 'cdktf.out',
    stdout: (text) => console.log(text),
    stderr: (text) => console.error(text),
    debug: Boolean(process.env.CLAUDE_OAUTH_TOKENS_DEBUG),
  });
}
