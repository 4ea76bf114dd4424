import { AgentSecretEntry } from '../../constructs/agent-token-external-secret';

/**
 * The agents' other secrets, used only with `"tokenDelivery": "shared"` in cdktf.json: this project then
 * owns the agents' Secret `claude-agent-secrets` whole (ESO recomputes an owned Secret on every sync, so
 * whatever is not listed here is removed from it). Names and Vault locations only, never values.
 * With the default (`"dedicated"`) this list is not used and the agents' own stack keeps that Secret.
 *
 *   { secretKey: '<ENV_VAR>', key: '<Vault secret under the store's mount>', property: '<field>' },
 */
export const AGENT_SECRET_ENTRIES: readonly AgentSecretEntry[] = [
  { secretKey: 'GITHUB_TOKEN', key: 'viktor', property: 'github_pat' },
  { secretKey: 'FORGEJO_TOKEN', key: 'ci/global', property: 'forgejo_repo_token' },
  { secretKey: 'API_BEARER_TOKEN', key: 'claude-agent-service', property: 'api_bearer_token' },
  { secretKey: 'FIXER_FORGEJO_TOKEN', key: 'claude-agent-service', property: 'forgejo_agent_token' },
  { secretKey: 'FIXER_WEBHOOK_SECRET', key: 'claude-agent-service', property: 'fixer_webhook_secret' },
  { secretKey: 'MEMORY_API_KEY', key: 'claude-memory', property: 'api_key' },
  { secretKey: 'FIXER_NTFY_TOKEN', key: 'claude-agent-service', property: 'fixer_ntfy_token' },
  { secretKey: 'WOODPECKER_API_TOKEN', key: 'ci/global', property: 'woodpecker_api_token' },
  { secretKey: 'SLACK_WEBHOOK_URL', key: 'viktor', property: 'alertmanager_slack_api_url' },
  { secretKey: 'HA_MCP_URL', key: 'openclaw', property: 'ha_sofia_mcp_url' },
];
