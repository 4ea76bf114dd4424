/**
 * The steps a `tokens` command prints after its edit: how the agents come to run the new token.
 */
import { AppSettings } from '../settings/app-settings';
import { PRIMARY_TOKEN_PATH } from '../inventory/vault-location';
import { describeConsumers, tokenConsumersOf } from '../settings/token-consumers';

/** How the agents come to run the new token: the deploy's restart Job, or the commands to do it by hand. */
export function agentsPickUp(tokenPath: string, settings: AppSettings, delivery: { namespace: string; externalSecret: string }): string[] {
  if (tokenPath !== PRIMARY_TOKEN_PATH) return ['     A spare is not in use: no agent restarts.'];
  const consumers = tokenConsumersOf(settings);
  if (consumers.length > 0) {
    return [
      `     For primary the deploy also has ESO sync the new token into each consumer and ${describeConsumers(consumers)}.`,
      `     It fails naming every consumer that did not move (kubectl -n ${delivery.namespace} logs job/<name>).`,
    ];
  }
  return [
    '     The agents read the token only at start (agentWorkload is off): once deployed, have ESO sync, wait for it, then restart them:',
    `       SINCE=$(date -u +%Y-%m-%dT%H:%M:%SZ); sleep 1; kubectl -n ${delivery.namespace} annotate externalsecret ${delivery.externalSecret} force-sync=$(date +%s) --overwrite`,
    `       until [ "$(kubectl -n ${delivery.namespace} get externalsecret ${delivery.externalSecret} -o jsonpath='{.status.refreshTime}')" \\> "$SINCE" ]; do sleep 2; done`,
    `       kubectl -n ${delivery.namespace} rollout restart deployment/<the agents' Deployment> && kubectl -n ${delivery.namespace} rollout status deployment/<the agents' Deployment>`,
  ];
}
