/**
 * The defaults and names that more than one layer needs (the settings' defaults, constructs' and
 * stacks' prop defaults, the commands tools print): each is typed here once. No provider imports:
 * the tokens CLI loads this without loading any provider package.
 */
import { DEFAULT_VAULT_AUTH_MOUNT } from '../lambda-src/contract';

/** The agents' namespace, where their Deployment, the token Secret and the monitor run. */
export const AGENTS_NAMESPACE = 'claude-agent';
/** The agents' Deployment (the cluster this was made for). */
export const AGENTS_DEPLOYMENT = 'claude-agent-service';
/** Prometheus' namespace: the rules, the dashboard and an installed Pushgateway. */
export const MONITORING_NAMESPACE = 'monitoring';
/** The team's ESO ClusterSecretStore for Vault. */
export const TEAM_SECRET_STORE = 'vault-kv';
/** Labels kube-prometheus-stack's selectors match (`release: <its release name>`). */
export const KUBE_PROMETHEUS_STACK_SELECTOR: Readonly<Record<string, string>> = { release: 'kube-prometheus-stack' };
/** Mount path of Vault's Kubernetes auth method. */
export const VAULT_AUTH_MOUNT = DEFAULT_VAULT_AUTH_MOUNT;
/** External Secrets Operator's ServiceAccount as its Helm chart installs it. */
export const ESO_SERVICE_ACCOUNT = { namespace: 'external-secrets', name: 'external-secrets' } as const;

/** The Secret this project owns for the token alone (the default): nobody else's keys are in it. */
export const DEDICATED_TOKEN_SECRET_NAME = 'claude-oauth-token';
/** The agents' shared Secret, owned whole by this project only with `tokenDelivery: "shared"`. */
export const SHARED_AGENT_SECRET_NAME = 'claude-agent-secrets';
/** The environment variable `claude` reads the long-lived token from. */
export const TOKEN_ENV_VAR = 'CLAUDE_CODE_OAUTH_TOKEN';
