import { readdirSync, readFileSync, statSync } from 'fs';
import * as path from 'path';
import { REPO_ROOT } from '../../devkit/app-copy';

const SOURCE_FOLDERS = ['settings', 'tools', 'stacks', 'constructs', 'lambda-src', 'alerts', 'inventory'];

function sourceFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const file = path.join(dir, name);
      return statSync(file).isDirectory() ? walk(file) : name.endsWith('.ts') ? [file] : [];
    });
  return [path.join(REPO_ROOT, 'main.ts'), ...SOURCE_FOLDERS.flatMap((folder) => walk(path.join(REPO_ROOT, folder)))];
}

/** Headings of a Markdown file, backticks dropped, as a reader scans for them. */
function headingsOf(file: string): string[] {
  return [...readFileSync(path.join(REPO_ROOT, file), 'utf8').matchAll(/^#+ (.*)$/gm)].map((match) => match[1].replace(/`/g, ''));
}

/** Every message that sends a reader to the docs (`docs/x.md, Some heading`) lands on a file and a heading that exist. */
test('every docs reference in a message names a file and a heading that exist', () => {
  const references = sourceFiles().flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/docs\/([a-z-]+\.md)(?:, ([A-Z][^)'"`;]*?))?(?=[)'"`;]|\.(?:\s|$|['"`])|$)/gm)].map((match) => ({
      from: path.relative(REPO_ROOT, file),
      doc: `docs/${match[1]}`,
      heading: match[2],
    })),
  );
  expect(references.length).toBeGreaterThan(15);
  expect(references.filter((reference) => reference.heading).length).toBeGreaterThan(8);
  const broken = references.filter(({ doc, heading }) => {
    try {
      return heading !== undefined && !headingsOf(doc).some((candidate) => candidate.startsWith(heading));
    } catch {
      return true; // the file itself is missing
    }
  });
  expect(broken).toEqual([]);
});
