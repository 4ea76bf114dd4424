/**
 * Names of the Kubernetes objects that more than one layer needs (constructs as defaults, settings,
 * tools in the commands they print). Constants only, no imports: the tokens CLI loads this without
 * loading any provider package.
 */

/** The Secret this project owns for the token alone (the default): nobody else's keys are in it. */
export const DEDICATED_TOKEN_SECRET_NAME = 'claude-oauth-token';
/** The agents' shared Secret, owned whole by this project only with `tokenDelivery: "shared"`. */
export const SHARED_AGENT_SECRET_NAME = 'claude-agent-secrets';
/** The environment variable `claude` reads the long-lived token from. */
export const TOKEN_ENV_VAR = 'CLAUDE_CODE_OAUTH_TOKEN';
