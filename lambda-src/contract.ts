/**
 * The monitor's contract with the rest of the system: the names constructs, alert rules, the
 * dashboard and tests import instead of retyping. No imports here, so the bundle stays small.
 */

/** Environment variables the monitor reads. */
export const MonitorEnv = {
  /** Directory where the expiry ConfigMap is mounted: one file per token path, holding expiry unix seconds. */
  expiryDir: 'TOKEN_EXPIRY_DIR',
  /** Base URL of the Pushgateway. */
  pushgatewayUrl: 'PUSHGATEWAY_URL',
  /** Timeout of one push request, in milliseconds. */
  pushTimeoutMs: 'PUSH_TIMEOUT_MS',
  /** How many times a push is tried before the run fails. */
  pushAttempts: 'PUSH_ATTEMPTS',
  /** Wait before the first retry, in milliseconds; it doubles for each further retry. */
  pushBackoffMs: 'PUSH_BACKOFF_MS',
} as const;

/** Where the constructs point the scripts by default; the scripts themselves require the variable. */
export const DEFAULT_PUSHGATEWAY_URL = 'http://prometheus-prometheus-pushgateway.monitoring:9091';
export const DEFAULT_PUSH_TIMEOUT_MS = 5_000;
export const DEFAULT_PUSH_ATTEMPTS = 4;
export const DEFAULT_PUSH_BACKOFF_MS = 500;
/** Upper bounds of the push settings: beyond them a run could outlive any sane CronJob deadline. */
export const MAX_PUSH_TIMEOUT_MS = 60_000;
export const MAX_PUSH_ATTEMPTS = 10;
export const MAX_PUSH_BACKOFF_MS = 60_000;

/** The Pushgateway group (`job` label) the monitor owns; its PUT replaces the whole group. */
export const MONITOR_JOB = 'claude-oauth-expiry-monitor';

/** Label carrying the token path (`primary`, `spare-1`, ...). */
export const PATH_LABEL = 'path';

export const Metrics = {
  expiryTimestamp: {
    name: 'claude_oauth_token_expiry_timestamp',
    help: 'Unix time (seconds) at which the Claude Code OAuth token at this path expires.',
  },
  lastPushTimestamp: {
    name: 'claude_oauth_expiry_monitor_last_push_timestamp',
    help: 'Unix time (seconds) at which the expiry monitor last pushed.',
  },
} as const;

/** Exit codes of the pushing scripts (monitor and probe), for the CronJob's failure history and the README. */
export const ScriptExit = {
  ok: 0,
  /** Bad configuration or a bad mounted entry: nothing was pushed. */
  invalidInput: 1,
  /** The Pushgateway could not be reached or refused the push after every retry. */
  pushFailed: 2,
} as const;

/**
 * The endpoint the probe asks with each token, one that spends no usage. Undocumented; its answers,
 * as observed publicly, are in token-probe.ts's classification table.
 */
export const DEFAULT_PROBE_ENDPOINT = 'https://api.anthropic.com/api/oauth/profile';
export const DEFAULT_PROBE_BETA = 'oauth-2025-04-20';
export const DEFAULT_PROBE_TIMEOUT_MS = 10_000;

/** Environment variables the token probe reads. */
export const ProbeEnv = {
  /** Directory where the probe's Secret is mounted: one file per token path, holding the token. */
  tokenDir: 'TOKEN_DIR',
  pushgatewayUrl: 'PUSHGATEWAY_URL',
  /** The endpoint asked with each token. */
  endpoint: 'PROBE_ENDPOINT',
  /** Value of the `anthropic-beta` header sent with each request. */
  betaHeader: 'PROBE_ANTHROPIC_BETA',
  /** Timeout of one probe request, in milliseconds. */
  timeoutMs: 'PROBE_TIMEOUT_MS',
} as const;

/** Upper bound of one probe request's timeout. */
export const MAX_PROBE_TIMEOUT_MS = 60_000;

/** The probe's own Pushgateway group: its PUT never touches the monitor's. */
export const PROBE_JOB = 'claude-oauth-token-probe';
export const RESULT_LABEL = 'result';
export const REASON_LABEL = 'reason';

export const ProbeMetrics = {
  result: {
    name: 'claude_oauth_token_probe_result',
    help: 'State set: 1 for the current result of the live check of the token at this path (valid, rejected or unknown), 0 for the others.',
  },
  reason: {
    name: 'claude_oauth_token_probe_reason',
    help: 'Why the last live check of the token at this path was not valid (1 for the current reason).',
  },
  lastRunTimestamp: {
    name: 'claude_oauth_token_probe_last_run_timestamp',
    help: 'Unix time (seconds) of the token probe\'s last run.',
  },
} as const;

/** Environment variables of the monitor's optional drift check against Vault (set means on). */
export const DriftEnv = {
  /** Vault's address from inside the cluster; drift detection is on when set. */
  vaultAddr: 'VAULT_ADDR',
  /** Kubernetes-auth role the monitor logs in with. */
  role: 'VAULT_ROLE',
  authMount: 'VAULT_AUTH_MOUNT',
  kvMount: 'VAULT_KV_MOUNT',
  /** Secret name of `primary`; spare `p` is `<base><separator><p>`. */
  baseName: 'VAULT_BASE_NAME',
  /** What joins the base name and a spare's path (`-` when unset). */
  spareSeparator: 'VAULT_SPARE_SEPARATOR',
  /** The projected ServiceAccount token the monitor presents to Vault. */
  jwtFile: 'VAULT_JWT_FILE',
  timeoutMs: 'VAULT_TIMEOUT_MS',
} as const;

export const DriftMetrics = {
  secretUpdated: {
    name: 'claude_oauth_token_secret_updated_timestamp',
    help: "Unix time (seconds) at which the token's Vault KV v2 secret was last written (metadata updated_time).",
  },
  secretMinted: {
    name: 'claude_oauth_token_secret_minted_timestamp',
    help: "Unix time (seconds) at which the token Vault holds was minted: custom_metadata.minted_at when 'tokens rotate --store' wrote the current version, else the last write.",
  },
  vaultCheckSuccess: {
    name: 'claude_oauth_token_vault_check_success',
    help: "1 if the monitor could read the token secret's Vault metadata on its last run, else 0.",
  },
} as const;

export const DEFAULT_VAULT_TIMEOUT_MS = 5_000;
export const DEFAULT_VAULT_JWT_FILE = '/var/run/secrets/vault/token';
/** Vault's Kubernetes auth method, where it is mounted unless a cluster chose otherwise. */
export const DEFAULT_VAULT_AUTH_MOUNT = 'kubernetes';

/** The Vault Kubernetes-auth role the monitor logs in with (created by the vault-access stack). */
export const MONITOR_VAULT_ROLE = 'claude-oauth-expiry-monitor';
/** Audience of the projected ServiceAccount token the monitor presents; the Vault role requires it. */
export const VAULT_TOKEN_AUDIENCE = 'vault';

/** Environment variables of the deploy-time Job that restarts the agents onto a new primary token. */
export const RestartEnv = {
  /** Kubernetes API base URL; https, or http on loopback (tests). */
  apiUrl: 'K8S_API_URL',
  /** The pod's ServiceAccount token and the cluster CA, as the kubelet mounts them. */
  tokenFile: 'K8S_TOKEN_FILE',
  caFile: 'K8S_CA_FILE',
  namespace: 'AGENT_NAMESPACE',
  /** The token's ExternalSecret, whose sync the Job waits for. */
  externalSecret: 'TOKEN_EXTERNAL_SECRET',
  /** The agents' Deployment, restarted once ESO has synced. */
  deployment: 'AGENT_DEPLOYMENT',
  /**
   * Every consumer of the token, as JSON (`RestartTarget[]`): each ExternalSecret to sync and the
   * workload it feeds. When set, it replaces the three variables above.
   */
  targets: 'RESTART_TARGETS',
  syncTimeoutMs: 'SYNC_TIMEOUT_MS',
  rolloutTimeoutMs: 'ROLLOUT_TIMEOUT_MS',
  pollIntervalMs: 'POLL_INTERVAL_MS',
  /** Timeout of one Kubernetes API request. */
  requestTimeoutMs: 'K8S_REQUEST_TIMEOUT_MS',
} as const;

export const DEFAULT_K8S_API_URL = 'https://kubernetes.default.svc';
export const DEFAULT_K8S_TOKEN_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/token';
export const DEFAULT_K8S_CA_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt';
export const DEFAULT_SYNC_TIMEOUT_MS = 300_000;
export const DEFAULT_ROLLOUT_TIMEOUT_MS = 600_000;
export const DEFAULT_POLL_INTERVAL_MS = 2_000;
/** Annotation the Job sets on the ExternalSecret: ESO re-syncs whenever an ExternalSecret's annotations change. */
export const SYNC_REQUESTED_ANNOTATION = 'claude-oauth-tokens/sync-requested-at';
/** The pod-template annotation `kubectl rollout restart` sets; changing it rolls the Deployment. */
export const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';

/** Exit codes of the restart Job. */
/** A Kubernetes object by namespace and name. */
export interface ObjectRef {
  readonly namespace: string;
  readonly name: string;
}

/** One consumer of the token: the ExternalSecret that feeds it, and the workload restarted after its sync. */
export interface RestartTarget {
  readonly externalSecret: ObjectRef;
  readonly workload: ObjectRef & { readonly kind: 'Deployment' | 'StatefulSet' };
  /** Reloader restarts it when its Secret changes: only wait for the sync. */
  readonly reloader?: boolean;
}

export const RestartExit = {
  ok: 0,
  invalidInput: 1,
  /** ESO did not sync the token after the Job started, or reported the sync failed. */
  syncFailed: 2,
  /** The Deployment did not finish rolling out in time. */
  rolloutFailed: 3,
  /** The Kubernetes API refused a request (403, 404, …) or did not answer. */
  apiFailed: 4,
} as const;
