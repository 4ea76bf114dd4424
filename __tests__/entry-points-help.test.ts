import { existsSync } from 'fs';
import * as path from 'path';
import { AppCopy } from '../devkit/app-copy';

/** Every entry point of package.json, as an operator asks it what it does. */
describe('--help on every entry point', () => {
  let app: AppCopy;
  beforeAll(() => {
    app = new AppCopy();
  });
  afterAll(() => app.remove());

  test.each([
    ['synth', []],
    ['tokens', []],
    ['tokens', ['rotate']],
    ['check', []],
    ['monitor', []],
    ['bench', []],
    ['build:go-tools', []],
  ])('npm run %s -- %j --help: its usage and an example, exit 0, and nothing done', (script, args) => {
    const run = app.run(script, [...args, '--help']);
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    expect(run.stdout).toMatch(/Usage: /);
    expect(run.stdout).toMatch(/\nExample: \S/);
    expect(existsSync(path.join(app.dir, 'cdktf.out'))).toBe(false); // synth -- --help synthesizes nothing
  });
});
