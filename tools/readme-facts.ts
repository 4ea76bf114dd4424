/**
 * `npm run readme`: the README's facts that come from code, generated between markers so they cannot
 * drift; `npm test` fails when the README differs from what this renders. Today: the alert table (from
 * the alert records, with the default thresholds and durations) and the stack list.
 */
import { readFileSync, writeFileSync } from 'fs';
import * as path from 'path';
import { AlertRecord, markdownAnchor } from '../alerts/alert-record';
import { driftAlerts } from '../alerts/drift-alerts';
import { secretSyncAlerts } from '../alerts/secret-sync-alerts';
import { tokenExpiryAlerts } from '../alerts/token-expiry-alerts';
import { tokenProbeAlerts } from '../alerts/token-probe-alerts';
import { AGENTS_NAMESPACE, DEDICATED_TOKEN_SECRET_NAME } from '../settings/object-names';
import { REPO_ROOT } from '../settings/project-paths';
import { STACKS } from '../settings/stack-graph';

/** A generated block: its name (in the markers) and its text. */
interface Fact {
  readonly name: string;
  readonly text: string;
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
  return { name: 'alert-table', text: ['| alert | summary | for | severity | shipped |', '|---|---|---|---|---|', ...rows].join('\n') };
}

function stackList(): Fact {
  return { name: 'stack-list', text: `${STACKS.length} Terraform stacks (${STACKS.map((stack) => `\`${stack}\``).join(', ')}), synthesized from typed constructs:` };
}

const FACTS: ReadonlyArray<() => Fact> = [stackList, alertTable];

/** `readme` with every generated block replaced by what the code says now; throws when a marker is missing. */
export function withGeneratedFacts(readme: string): string {
  return FACTS.reduce((text, render) => {
    const fact = render();
    const begin = `<!-- generated:${fact.name} (npm run readme) -->\n`;
    const end = `\n<!-- /generated:${fact.name} -->`;
    const from = text.indexOf(begin);
    const to = text.indexOf(end, from);
    if (from < 0 || to < 0) throw new Error(`README.md has no generated block '${fact.name}': add the markers ${begin.trim()} and ${end.trim()}.`);
    return `${text.slice(0, from + begin.length)}${fact.text}${text.slice(to)}`;
  }, readme);
}

export const README_FILE = path.join(REPO_ROOT, 'README.md');

if (require.main === module) {
  const before = readFileSync(README_FILE, 'utf8');
  const after = withGeneratedFacts(before);
  if (after !== before) writeFileSync(README_FILE, after);
  console.log(after === before ? 'README.md is up to date.' : 'README.md: generated facts rewritten.');
}
