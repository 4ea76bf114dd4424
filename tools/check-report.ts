import { isoUtc } from '../inventory/expiry';
import { TokenInventory, TokenRecord } from '../inventory/token-inventory';
import { redactSecrets } from '../inventory/token-shape';
import { describeChange, ResourceDiff } from './synth-diff';

/** What `check` found, ready to print: everything the report says and nothing it has to work out. */
export interface CheckResult {
  /** Which commit the head was compared with, e.g. `HEAD~1 (1a2b3c4d)`. */
  readonly baseLabel: string;
  readonly baseInventory?: TokenInventory;
  readonly headInventory?: TokenInventory;
  /** Per stack, in report order: what changes from base to head. */
  readonly diffs: Readonly<Record<string, readonly ResourceDiff[]>>;
  /** Each one fails the check. */
  readonly failures: readonly string[];
  readonly notes: readonly string[];
  /** The command that deploys the changed stacks, or undefined when nothing changed. */
  readonly deployCommand?: string;
  /** Whether the deploy includes vault-access (it needs Vault admin credentials). */
  readonly deploysVaultAccess: boolean;
  /** Whether the head synthesized; when it did not, nothing is compared (and nothing shows as removed). */
  readonly headSynthesized: boolean;
  /** When the deploy runs the restart Job (a new primary, image or consumer list): which consumers it restarts, in words. */
  readonly restarts?: string;
}

export type ReportFormat = 'markdown' | 'text';

/** The annotation whose value is a checksum of a script and its input: noise to a reviewer. */
const CHECKSUM_ATTRIBUTE = /annotations\.claude-oauth-tokens\/checksum$/;

/** A Terraform type as a reviewer names the object: `kubernetes_config_map_v1` -> `ConfigMap`. */
function kindOf(type: string): string {
  const known: Record<string, string> = {
    kubernetes_config_map_v1: 'ConfigMap',
    kubernetes_cron_job_v1: 'CronJob',
    kubernetes_job_v1: 'Job',
    kubernetes_role_v1: 'Role',
    kubernetes_role_binding_v1: 'RoleBinding',
    kubernetes_service_account_v1: 'ServiceAccount',
    kubernetes_network_policy_v1: 'NetworkPolicy',
    kubernetes_namespace_v1: 'Namespace',
    kubernetes_manifest: '',
    vault_policy: 'Vault policy',
    vault_kubernetes_auth_backend_role: 'Vault role',
    helm_release: 'Helm release',
  };
  return known[type] ?? type;
}

/**
 * One resource's line as a reviewer reads it: the kind and name of the object, not cdktf's internal
 * id (that, and the checksum annotations, only with details); a content-named Job whose name changes
 * is replaced by Terraform, so it says the Job runs again.
 */
function describeDiff(diff: ResourceDiff, code: (text: string) => string, details: boolean): string[] {
  const type = diff.address.split('.')[0];
  if (details) {
    return [`- ${diff.change} ${code(diff.address)}${diff.objectName ? ` (${diff.objectName})` : ''}`, ...diff.attributes.map((change) => `  - ${code(describeChange(change, type))}`)];
  }
  const named = diff.objectName && diff.namespace ? `${diff.objectName} in ${diff.namespace}` : diff.objectName;
  const what = [kindOf(type), named].filter(Boolean).join(' ') || diff.address;
  const renamed = diff.attributes.find((change) => change.attribute === 'metadata.name');
  if (type === 'kubernetes_job_v1' && renamed) return [`- replaced Job ${renamed.before} -> ${renamed.after}${diff.namespace ? ` in ${diff.namespace}` : ''} (the Job runs again)`];
  const shown = diff.attributes.filter((change) => !CHECKSUM_ATTRIBUTE.test(change.attribute));
  if (diff.change === 'changed' && shown.length === 0) return [`- changed ${what}: its script or input (checksum)`];
  return [`- ${diff.change} ${what}`, ...shown.map((change) => `  - ${code(describeChange(change, type))}`)];
}

/**
 * The report for a pull-request comment (markdown) or a terminal (text): the result, the tokens
 * before -> after, the deploy it needs, and per stack the resources that change. Redacted as a
 * whole: synth's echoed errors may quote anything.
 */
export function renderCheckReport(result: CheckResult, format: ReportFormat, details = false): string {
  const md = format === 'markdown';
  const lines: string[] = [];
  const heading = (text: string) => lines.push(md ? `### ${text}` : `== ${text}`);
  const code = (text: string) => (md ? `\`${text}\`` : text);
  lines.push(md ? '## claude-oauth-tokens synth check' : 'claude-oauth-tokens synth check', '');
  lines.push(`${md ? '**Result:** ' : 'Result: '}${result.failures.length === 0 ? 'PASS' : 'FAIL'} (head: working tree, base: ${result.baseLabel})`);
  for (const failure of result.failures) lines.push(`- ${failure.split('\n').join(md ? '<br>' : '\n    ')}`);
  for (const note of result.notes) lines.push(`- note: ${note}`);
  lines.push('');

  heading('Tokens (base -> head)');
  const header = ['path', 'minted', 'expires', 'days left', 'status'];
  const rows = tokenRows(result.baseInventory, result.headInventory);
  if (md) {
    lines.push(`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`));
  } else {
    const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
    for (const row of [header, ...rows]) lines.push(row.map((text, column) => text.padEnd(widths[column])).join('  ').trimEnd());
  }
  lines.push('');

  if (!result.headSynthesized) {
    lines.push(`${md ? '**Deploy after merge:** ' : 'Deploy after merge: '}none: the head does not synthesize, so nothing was compared. Fix it first (above).`);
    return redactSecrets(`${lines.join('\n').trimEnd()}\n`);
  }
  lines.push(`${md ? '**Deploy after merge:** ' : 'Deploy after merge: '}${result.deployCommand ? `\`${result.deployCommand}\`` : 'nothing changed'}`);
  if (result.deploysVaultAccess) lines.push('(vault-access needs Vault admin credentials: VAULT_ADDR, VAULT_TOKEN)');
  if (result.restarts) lines.push(`${md ? '**The deploy** ' : 'The deploy '}${result.restarts}.`);
  lines.push('');
  for (const [stack, stackDiffs] of Object.entries(result.diffs)) {
    heading(`Stack ${stack}: ${stackDiffs.length === 0 ? 'no deploy needed' : 'needs deploy'}`);
    if (stackDiffs.length === 0) lines.push('no changes');
    for (const diff of stackDiffs) lines.push(...describeDiff(diff, code, details));
    lines.push('');
  }
  return redactSecrets(`${lines.join('\n').trimEnd()}\n`);
}

/** One row per token path of either side: each cell `before -> after` where it changed. */
function tokenRows(base: TokenInventory | undefined, head: TokenInventory | undefined): string[][] {
  const byPath = (inventory: TokenInventory | undefined) => new Map((inventory?.tokens ?? []).map((token) => [token.path, token]));
  const [before, after] = [byPath(base), byPath(head)];
  const paths = [...new Set([...after.keys(), ...before.keys()])];
  const cell = (old: TokenRecord | undefined, current: TokenRecord | undefined, pick: (token: TokenRecord) => string) => {
    if (!old) return `${pick(current!)} (new)`;
    // A head without an inventory (it does not synthesize) removes nothing: show the base as it is.
    if (!current) return head ? `${pick(old)} (removed)` : pick(old);
    return pick(old) === pick(current) ? pick(current) : `${pick(old)} -> ${pick(current)}`;
  };
  return paths.map((tokenPath) => {
    const [old, current] = [before.get(tokenPath), after.get(tokenPath)];
    return [
      tokenPath,
      cell(old, current, (token) => isoUtc(token.mintedAt)),
      cell(old, current, (token) => isoUtc(token.expiresAt)),
      cell(old, current, (token) => String(token.daysLeft)),
      cell(old, current, (token) => token.status),
    ];
  });
}
