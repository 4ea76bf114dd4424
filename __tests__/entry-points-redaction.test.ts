import { AppCopy } from '../devkit/app-copy';

// Built from parts, so that no file of this repository holds a token-shaped string.
const PREFIX = ['sk', 'ant', 'oat01', ''].join('-');
const SECRET = 'Q7x9TzK2mW4vB8nR5pL1';
const TOKEN = `${PREFIX}${SECRET}${'a'.repeat(108 - PREFIX.length - SECRET.length)}`;
const SECRET_PARTS = [SECRET.slice(0, 7), SECRET.slice(7, 14), SECRET.slice(14), TOKEN.slice(-20)];

/** A token given on the command line, as a careless paste puts it there: none of it may be printed back. */
describe('a token on any entry point\'s command line is never printed back', () => {
  let app: AppCopy;
  beforeAll(() => {
    app = new AppCopy();
  });
  afterAll(() => app.remove());

  test.each([
    ['synth', [TOKEN]],
    ['synth', [`${TOKEN.slice(0, 80)}\n${TOKEN.slice(80)}`]],
    ['tokens', ['status', `${TOKEN.slice(0, 80)}\n${TOKEN.slice(80)}`]],
    ['tokens', ['status', `${PREFIX}${SECRET.slice(0, 5)} ${TOKEN.slice(PREFIX.length + 5)}`]],
    ['tokens', ['status', `${PREFIX.slice(0, -1)}_${TOKEN.slice(PREFIX.length)}`]],
    ['tokens', ['probe', `${PREFIX.slice(0, -1)} -${TOKEN.slice(PREFIX.length)}`]],
    ['check', [`--base=${TOKEN}`]],
    ['check', [TOKEN]],
    ['monitor', [TOKEN]],
  ])('npm run %s -- %#: refused, the prefix and a length shown at most', (script, args) => {
    const run = app.run(script, args);
    expect(run.status).not.toBe(0);
    const printed = `${run.stdout}${run.stderr}`;
    expect(printed).not.toBe('');
    for (const part of SECRET_PARTS) expect(printed).not.toContain(part);
    expect(printed).not.toMatch(/^\s+at /m);
  });

  test('a refused argument with control characters is shown escaped and cut', () => {
    const run = app.run('synth', [`\u001B]0;owned\u0007${'x'.repeat(500)}`]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("synth takes no arguments, got '\\u{1b}]0;owned\\u{7}xxx");
    expect(run.stderr).toContain('…(510 chars)');
    expect(run.stderr).not.toContain('\u001B');
  });
});
