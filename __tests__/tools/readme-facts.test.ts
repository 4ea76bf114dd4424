import { readFileSync } from 'fs';
import { STACKS } from '../../settings/stack-graph';
import { README_FILE, withGeneratedFacts } from '../../tools/readme-facts';

describe('README facts that come from code', () => {
  const readme = readFileSync(README_FILE, 'utf8');

  test('the generated blocks (stacks, alert table) are what the code says now: run `npm run readme` after changing either', () => {
    expect(readme).toBe(withGeneratedFacts(readme));
  });

  test('every stack has a row in the table of what it deploys', () => {
    for (const stack of STACKS) expect(readme).toMatch(new RegExp(`^\\| \`${stack}\` \\|`, 'm'));
  });

  test('a README without the markers is an error naming them, not a silent pass', () => {
    expect(() => withGeneratedFacts('# nothing here\n')).toThrow(/README\.md has no generated block 'stack-list': add the markers <!-- generated:stack-list \(npm run readme\) -->/);
  });
});
