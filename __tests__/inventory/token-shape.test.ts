import { escapeInvisible, looksLikeToken, redactSecrets, showArgument } from '../../inventory/token-shape';

// Built from parts, so that no file of this repository holds a token-shaped string.
const PREFIX = ['sk', 'ant', 'oat01', ''].join('-');
const SECRET = 'Q7x9TzK2mW4vB8nR5pL1';
const TOKEN = `${PREFIX}${SECRET}${'a'.repeat(108 - PREFIX.length - SECRET.length)}`;

describe('redactSecrets: nothing after the prefix is trusted to end the secret', () => {
  test.each([
    ['a token alone', TOKEN],
    ['a space inside the token', `${PREFIX}${SECRET.slice(0, 6)} ${SECRET.slice(6)}`],
    ['a tab inside the token', `${PREFIX}${SECRET.slice(0, 6)}\t${SECRET.slice(6)}`],
    ['a space typed before the dash', `${PREFIX.slice(0, -1)} -${SECRET}`],
    ['an underscore typed for the dash', `${PREFIX.slice(0, -1)}_${SECRET}`],
    ['a quote inside the token', `${PREFIX}${SECRET.slice(0, 6)}"${SECRET.slice(6)}`],
    ['an unknown family', `${['sk', 'ant', 'zz'].join('-')}${SECRET}`],
  ])('%s: no secret character survives, the prefix and a length do', (_, credential) => {
    const shown = redactSecrets(`refused: ${credential}`);
    expect(shown).toMatch(/^refused: sk-ant-(oat01-)?…\(redacted, \d+ chars\)$/);
    for (const part of [SECRET.slice(0, 6), SECRET.slice(6, 12), SECRET.slice(12)]) expect(shown).not.toContain(part);
  });

  test('each line is redacted on its own: what follows a redaction on the next line is kept', () => {
    expect(redactSecrets(`a ${TOKEN}\nnext line`)).toBe('a sk-ant-oat01-…(redacted, 108 chars)\nnext line');
  });

  test('a redaction is not redacted again, and the public prefix named alone is left as it is', () => {
    const once = redactSecrets(`a ${TOKEN}`);
    expect(redactSecrets(once)).toBe(once);
    for (const text of [`it does not start with ${PREFIX} (this is`, `starts with ${PREFIX}.`, `'${PREFIX}'`, `\`${['sk', 'ant', ''].join('-')}\` prefix`]) {
      expect(redactSecrets(text)).toBe(text);
    }
  });

  test('looksLikeToken sees the typos too', () => {
    expect(looksLikeToken(`${PREFIX.slice(0, -1)}_${SECRET}`)).toBe(true);
    expect(looksLikeToken('sk-and-more')).toBe(false);
  });
});

describe('showArgument: an argument as every message shows it', () => {
  test('a token wrapped at column 80 is redacted to the end of the argument, newline included', () => {
    const shown = showArgument(`${TOKEN.slice(0, 80)}\n${TOKEN.slice(80)}`);
    expect(shown).toBe('sk-ant-oat01-…(redacted, 109 chars)');
  });

  test('control, bidi and zero-width characters are escaped, never printed', () => {
    expect(showArgument('a\u202Eb\u0001c\u200Bd\u001B[2J')).toBe('a\\u{202e}b\\u{1}c\\u{200b}d\\u{1b}[2J');
    expect(escapeInvisible('\uD800x')).toBe('\\u{d800}x');
  });

  test('a long argument is cut and its length said', () => {
    const shown = showArgument('z'.repeat(30_000_000));
    expect(shown.length).toBeLessThan(120);
    expect(shown).toMatch(/…\(30000000 chars\)$/);
  });
});
