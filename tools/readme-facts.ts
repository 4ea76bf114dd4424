/**
 * `npm run readme`: the README's facts that come from code, generated between markers so they cannot
 * drift; `npm test` fails when the README differs from what this renders. Today: the alert table (from
 * the alert records, with the default thresholds and durations), the stack list and the Vault layout's defaults.
 */
import { readFileSync, writeFileSync } from 'fs';
import * as path from 'path';
import { AlertRecord, markdownAnchor } from '../alerts/alert-record';
import { driftAlerts } from '../alerts/drift-alerts';
import { secretSyncAlerts } from '../alerts/secret-sync-alerts';
import { tokenExpiryAlerts } from '../alerts/token-expiry-alerts';
import { tokenProbeAlerts } from '../alerts/token-probe-alerts';
import { AGENTS_NAMESPACE, DEDICATED_TOKEN_SECRET_NAME } from '../settings/object-names';
import { DEFAULT_SETTINGS } from '../settings/settings-model';
import { REPO_ROOT } from '../settings/project-paths';
import { STACKS } from '../settings/stack-graph';

/** A generated block: its name (in the markers), its text, and the document it lives in. */
interface Fact {
  readonly name: string;
  readonly text: string;
  /** Relative to the repository root. */
  readonly file: string;
}

/** Every alert the monitoring stack can ship, with the setting that turns on those that are optional. */
function alertTable(): Fact {
  const groups: Array<[AlertRecord[], string]> = [
    [tokenExpiryAlerts(), 'always'],
    [secretSyncAlerts({ namespace: AGENTS_NAMESPACE, externalSecretNames: [DEDICATED_TOKEN_SECRET_NAME] }), 'always'],
    [driftAlerts(), '`driftDetection`'],
    [tokenProbeAlerts(), '`tokenProbe`'],
  ];
  const rows = groups.flatMap(([records, shipped]) =>
    records.map((record) => `| [${record.name}](#${markdownAnchor(record.runbookHeading)}) | ${record.summary} | ${record.for.toDurationString()} | ${record.severity} | ${shipped} |`),
  );
  return { name: 'alert-table', file: 'docs/runbook.md', text: ['| alert | summary | for | severity | shipped |', '|---|---|---|---|---|', ...rows].join('\n') };
}

function stackList(): Fact {
  return { name: 'stack-list', file: 'README.md', text: `${STACKS.length} Terraform stacks (${STACKS.map((stack) => `\`${stack}\``).join(', ')}), synthesized from typed constructs:` };
}

/** The `vault` setting's defaults, as a cdktf.json reader would write them: the layout this project was made for. */
function vaultDefaults(): Fact {
  return { name: 'vault-defaults', file: 'docs/fitting-the-cluster.md', text: ['```json', `"vault": ${JSON.stringify(DEFAULT_SETTINGS.vault, null, 1).replace(/\n\s*/g, ' ')}`, '```'].join('\n') };
}

const FACTS: ReadonlyArray<() => Fact> = [stackList, alertTable, vaultDefaults];

/** The documents that hold generated blocks. */
export const FACT_FILES = ['README.md', 'docs/runbook.md', 'docs/fitting-the-cluster.md'] as const;

/** `document` (one of {@link FACT_FILES}) with its generated blocks replaced by what the code says now; throws when a marker is missing. */
export function withGeneratedFacts(document: string, file: (typeof FACT_FILES)[number] = 'README.md'): string {
  return FACTS.map((render) => render()).filter((fact) => fact.file === file).reduce((text, fact) => {
    const begin = `<!-- generated:${fact.name} (npm run readme) -->\n`;
    const end = `\n<!-- /generated:${fact.name} -->`;
    const from = text.indexOf(begin);
    const to = text.indexOf(end, from);
    if (from < 0 || to < 0) throw new Error(`${file} has no generated block '${fact.name}': add the markers ${begin.trim()} and ${end.trim()}.`);
    return `${text.slice(0, from + begin.length)}${fact.text}${text.slice(to)}`;
  }, document);
}

export const README_FILE = path.join(REPO_ROOT, 'README.md');

if (require.main === module) {
  for (const file of FACT_FILES) {
    const absolute = path.join(REPO_ROOT, file);
    const before = readFileSync(absolute, 'utf8');
    const after = withGeneratedFacts(before, file);
    if (after !== before) writeFileSync(absolute, after);
    console.log(after === before ? `${file} is up to date.` : `${file}: generated facts rewritten.`);
  }
}
