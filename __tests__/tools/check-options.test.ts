import * as path from 'path';
import { parseOptions } from '../../tools/check-options';

const project = { projectDir: '/repo' };
const refusal = (argv: string[]): string => {
  try {
    parseOptions(argv, project);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
};

describe("check's command line", () => {
  test('every option read; defaults where absent', () => {
    expect(parseOptions([], project)).toEqual({ base: undefined, format: 'text', allowExpiring: false, useCache: true, details: false, crdDir: path.resolve('/repo/schemas/crds') });
    expect(parseOptions(['--base', 'origin/main', '--format=markdown', '--allow-expiring', '--no-cache', '--details', '--crd-dir', '/tmp/crds'], project)).toEqual({
      base: 'origin/main',
      format: 'markdown',
      allowExpiring: true,
      useCache: false,
      details: true,
      crdDir: '/tmp/crds',
    });
  });

  test.each([
    [['--base'], '--base needs a value.'],
    [['--base', '--details'], '--base needs a value.'],
    [['--format', 'html'], '--format html: use markdown or text.'],
    [['--bogus'], "unknown argument '--bogus'. Usage: npm run check -- [--base <git ref>]"],
    [['origin/main'], "unknown argument 'origin/main'. Usage: npm run check --"],
    [['--details=yes'], '--details is a switch and takes no value'],
  ])('%j is refused in words', (argv, message) => {
    expect(refusal(argv)).toContain(message);
  });
});
