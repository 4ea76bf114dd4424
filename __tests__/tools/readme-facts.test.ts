import { existsSync, readFileSync } from 'fs';
import * as path from 'path';
import { STACKS } from '../../settings/stack-graph';
import { FACT_FILES, README_FILE, withGeneratedFacts } from '../../tools/readme-facts';

describe('README and docs facts that come from code', () => {
  const readme = readFileSync(README_FILE, 'utf8');

  test.each(FACT_FILES)('%s: the generated blocks (stacks, alert table, Vault defaults) are what the code says now: run `npm run readme` after changing any', (file) => {
    const text = readFileSync(path.resolve(__dirname, '../..', file), 'utf8');
    expect(text).toBe(withGeneratedFacts(text, file));
  });

  test('every stack has a row in the table of what it deploys', () => {
    for (const stack of STACKS) expect(readme).toMatch(new RegExp(`^\\| \`${stack}\` \\|`, 'm'));
  });

  test('a document without the markers is an error naming them, not a silent pass', () => {
    expect(() => withGeneratedFacts('# nothing here\n')).toThrow(/README\.md has no generated block 'stack-list': add the markers <!-- generated:stack-list \(npm run readme\) -->/);
    expect(() => withGeneratedFacts('# nothing here\n', 'docs/runbook.md')).toThrow(/docs\/runbook\.md has no generated block 'alert-table'/);
  });

  test('every link between the README and the docs lands on a heading that exists', () => {
    const anchorsOf = (text: string) => new Set([...text.matchAll(/^#{1,4} (.+)$/gm)].map((match) => match[1].trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-')));
    for (const file of ['README.md', ...['runbook', 'rotation', 'fitting-the-cluster', 'deploying', 'monitoring', 'development'].map((doc) => `docs/${doc}.md`)]) {
      const text = readFileSync(path.resolve(__dirname, '../..', file), 'utf8');
      for (const [, target, anchor] of text.matchAll(/\]\(([\w./-]*\.md)?#([\w-]+)\)/g)) {
        const linked = target ? path.join(path.dirname(file), target) : file;
        const anchors = anchorsOf(readFileSync(path.resolve(__dirname, '../..', linked), 'utf8'));
        expect({ file, link: `${target ?? ''}#${anchor}`, found: anchors.has(anchor) }).toEqual({ file, link: `${target ?? ''}#${anchor}`, found: true });
      }
      // Links to files of the repository (code, examples) resolve from where the document is.
      for (const [, target] of text.matchAll(/\]\((?!https?:|#)([^)#\s]+)(?:#[\w-]+)?\)/g)) {
        expect({ file, target, exists: existsSync(path.resolve(__dirname, '../..', path.dirname(file), target)) }).toEqual({ file, target, exists: true });
      }
    }
  });
});
