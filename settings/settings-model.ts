/**
 * What the settings are: their types, their defaults, and the error that lists what is wrong with them.
 * Read by settings/app-settings.ts (the one boundary where settings enter); documented in
 * docs/fitting-the-cluster.md, Settings.
 */

import { Duration } from '../inventory/duration';
import { DEFAULT_EXPIRY_THRESHOLDS, ExpiryThresholds } from '../inventory/expiry';
import { AGENTS_DEPLOYMENT, AGENTS_NAMESPACE, ESO_SERVICE_ACCOUNT, MONITORING_NAMESPACE, TEAM_SECRET_STORE, VAULT_AUTH_MOUNT } from './object-names';
import { DEFAULT_VAULT_KV_LAYOUT, SpareSeparator } from '../inventory/vault-location';
import { DEFAULT_PUSHGATEWAY_URL, RestartTarget, VAULT_TOKEN_AUDIENCE } from '../lambda-src/contract';
import { DEFAULT_SCRIPT_IMAGE } from './script-pods';

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

/** The agents' own workload, fed by this project's ExternalSecret. */
export interface AgentWorkloadSetting {
  readonly kind: 'Deployment' | 'StatefulSet';
  readonly name: string;
}

/** Where the tokens live in Vault, and who reads them there. */
export interface VaultLayoutSetting {
  /** KV v2 mount, e.g. `secret`. */
  readonly mount: string;
  /** Secret name of `primary`; spare `p` lives at `<baseName><spareSeparator><p>`. */
  readonly baseName: string;
  /** What joins the base name and a spare's path (`-`: `claude-agent-service-spare-1`). */
  readonly spareSeparator: SpareSeparator;
  /** Field of each secret that holds the token. */
  readonly field: string;
  /** Mount path of Vault's Kubernetes auth method, where the roles live and ESO and the monitor log in. */
  readonly authMount: string;
  /** Audience of the ServiceAccount tokens presented to Vault; the roles require it. */
  readonly audience: string;
  /** External Secrets Operator's ServiceAccount, which the least-privilege role admits. */
  readonly esoServiceAccount: { readonly namespace: string; readonly name: string };
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
  /** The agents' Deployment or StatefulSet to restart onto a new primary token (in `namespace`), or undefined for off. */
  readonly agentWorkload?: AgentWorkloadSetting;
  readonly legacyCredentialsFile: LegacyCredentialsSetting;
  readonly prometheus: RuleDeliverySetting;
  readonly pushgateway: PushgatewaySetting;
  readonly keep?: KeepSetting;
  readonly tokenProbe: boolean;
  readonly networkPolicies: boolean;
  /** Emit Terraform import blocks for the objects the agents' older HCL stack created. */
  readonly adoptFromHcl: boolean;
  readonly vaultAddress?: string;
  /** The tokens' Vault layout (KV v2 mount, secret names, field), the auth mount and audience, and ESO's ServiceAccount. */
  readonly vault: VaultLayoutSetting;
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
  agentWorkload: { kind: 'Deployment', name: AGENTS_DEPLOYMENT },
  legacyCredentialsFile: { source: 'vault', secretName: 'claude-credentials', vaultProperty: 'claude_credentials_json' },
  prometheus: { mode: 'chart', release: 'prometheus' },
  pushgateway: { existingUrl: DEFAULT_PUSHGATEWAY_URL },
  tokenProbe: false,
  networkPolicies: false,
  adoptFromHcl: false,
  vault: { ...DEFAULT_VAULT_KV_LAYOUT, authMount: VAULT_AUTH_MOUNT, audience: VAULT_TOKEN_AUDIENCE, esoServiceAccount: ESO_SERVICE_ACCOUNT },
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

/** A validated duration setting (`refreshInterval`, `podStartTimeout`: `1h`, `15m`, `90s`) as a Duration. */
export function durationOf(text: string): Duration {
  const amount = Number.parseInt(text, 10);
  return text.endsWith('h') ? Duration.hours(amount) : text.endsWith('m') ? Duration.minutes(amount) : Duration.seconds(amount);
}
