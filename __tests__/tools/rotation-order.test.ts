import { readFileSync } from 'fs';
import * as path from 'path';
import { REPO_ROOT } from '../../devkit/app-copy';
import { numberedSteps, ROTATION_ORDER } from '../../tools/rotation-order';
import { MapFolder } from '../helpers/map-folder';

/** The numbered steps of a Markdown section: the first word of each `N. ` line at the margin. */
function stepsIn(file: string, heading: string): string[] {
  const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');
  const section = text.slice(text.indexOf(`\n${heading}\n`)).split(/\n## /)[1] ?? '';
  return [...section.matchAll(/^\d+\. (\w+)/gm)].map((match) => match[1]);
}

/** One rotation order everywhere: mint, store, review, deploy, confirm, revoke, watch; never revoke before the deploy. */
describe('the rotation order', () => {
  test.each([
    ['README.md', '## Rotation day'],
    ['docs/rotation.md', '## Rotating a token'],
  ])('%s lists every step, in the one order', (file, heading) => {
    expect(stepsIn(file, heading)).toEqual([...ROTATION_ORDER]);
  });

  test('the CLI prints the rest of a rotation in the same order, whichever way it was started', async () => {
    const folder = new MapFolder();
    try {
      const stepsOf = (stdout: string) => [...stdout.matchAll(/^ {2}\d+\. (\w+):/gm)].map((match) => match[1]);
      const recorded = await folder.run(['rotate', 'primary', '--record-only']);
      expect(stepsOf(recorded.stdout)).toEqual([...ROTATION_ORDER]);
      const spare = await folder.run(['rotate', 'spare-1', '--record-only']);
      expect(stepsOf(spare.stdout)).toEqual(['Mint', 'Store', 'Review', 'Deploy', 'Revoke', 'Watch']); // a spare runs nowhere: nothing to confirm
    } finally {
      folder.remove();
    }
  });

  test('a step out of order cannot be printed', () => {
    expect(() => numberedSteps([['Revoke', 'now'], ['Deploy', 'later']])).toThrow('rotation steps out of order: Revoke, Deploy');
    expect(numberedSteps([['Review', 'a'], ['Watch', 'b', '     more']])).toEqual(['  1. Review: a', '  2. Watch: b', '     more']);
  });
});
