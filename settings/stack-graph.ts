import { AppSettings } from './app-settings';

/** The Terraform stacks, in the order a first install applies them. */
export const STACKS = ['monitoring', 'vault-access', 'claude-agent-service'] as const;
export type StackName = (typeof STACKS)[number];

/**
 * Which stacks must be applied before which: only where an apply would fail without the other. The
 * monitor's deploy-time run pushes to the Pushgateway, so when this project installs it, the agents'
 * stack waits for the monitoring stack. Nothing else crosses stacks (ESO retries until Vault lets it
 * read), so a rotation deploys `claude-agent-service` alone, without Vault admin credentials.
 */
export function stackDependencies(settings: Pick<AppSettings, 'pushgateway'>): Readonly<Record<StackName, readonly StackName[]>> {
  return {
    monitoring: [],
    'vault-access': [],
    'claude-agent-service': 'deploy' in settings.pushgateway ? ['monitoring'] : [],
  };
}

/**
 * The `cdktf deploy` command for stacks that changed: their dependencies added (the cdktf CLI refuses
 * a stack whose dependencies are not in the run), in install order.
 */
export function deployCommand(changed: readonly StackName[], settings: Pick<AppSettings, 'pushgateway'>): string {
  const dependencies = stackDependencies(settings);
  const needed = new Set<StackName>();
  const add = (stack: StackName): void => {
    if (needed.has(stack)) return;
    needed.add(stack);
    dependencies[stack].forEach(add);
  };
  changed.forEach(add);
  // npm puts node_modules/.bin (the cdktf CLI) on PATH, and the script sets CHECKPOINT_DISABLE=1.
  return `npm run deploy -- ${STACKS.filter((stack) => needed.has(stack)).join(' ')}`;
}
