import { readdirSync, writeFileSync } from 'fs';
import { SECONDS_PER_DAY } from '../../inventory/expiry';
import { makeToken, startFakeApi } from '../helpers/fake-anthropic-api';
import { EXAMPLE, HEAD, MapFolder, NOW } from '../helpers/map-folder';

describe('tokens: the map read as synth reads it', () => {
  let folder: MapFolder;
  afterEach(() => folder.remove());

  test('two entries on one line: refused by status (exit 2, the line named), and rotate writes nothing', async () => {
    folder = new MapFolder([HEAD, "  'spare-2': 1776528429, primary: 1764000000,", "  'spare-1': 1776528280,", '};', ''].join('\n'));
    const before = folder.text;
    const status = await folder.run(['status']);
    expect(status.status).toBe(2);
    expect(status.stdout).toBe('');
    expect(status.stderr).toMatch(/'spare-2' \(\S*token-mint-epochs\.ts:2\): shares its line/);
    expect((await folder.run(['rotate', 'spare-1', '--record-only'])).status).toBe(2);
    expect(folder.text).toBe(before);
  });

  test('a syntax error: status and rotate exit 2 naming the line, and the broken file is left as it is', async () => {
    folder = new MapFolder(EXAMPLE.replace("'spare-1': 1776528280,", "'spare-1' 1776528280,"));
    const before = folder.text;
    const status = await folder.run(['status']);
    expect(status.status).toBe(2);
    expect(status.stderr).toMatch(/token-mint-epochs\.ts:3:13: the file is not valid TypeScript/);
    const rotate = await folder.run(['rotate', 'spare-1', '--record-only']);
    expect(rotate.status).toBe(2);
    expect(rotate.stderr).toContain('Nothing was written.');
    expect(folder.text).toBe(before);
  });

  test.each([
    ["x'", 2, 'is not a valid token path'],
    ["spare-9': 1776528429, 'primary", 2, 'is not a valid token path'],
    ['Spare 4', 2, 'is not a valid token path'],
    ['-x', 1, "'rotate' has no option -x"], // read as an option, as every CLI reads a leading dash
  ])('rotate --add %j is refused before anything is written', async (tokenPath, status, message) => {
    folder = new MapFolder();
    const run = await folder.run(['rotate', tokenPath, '--record-only', '--add', '--minted-at', '1764000000']);
    expect(run.status).toBe(status);
    expect(run.stderr).toContain(message);
    expect(folder.text).toBe(EXAMPLE);
    expect(readdirSync(folder.dir)).toEqual(['token-mint-epochs.ts']); // no temp file, no lock left
  });

  test('a rotation that would make the map invalid is refused whole (critical primary is only a status, not an error)', async () => {
    folder = new MapFolder();
    const future = await folder.run(['rotate', 'primary', '--record-only', '--minted-at', String(NOW + 2 * SECONDS_PER_DAY)]);
    expect(future.status).toBe(2);
    expect(future.stderr).toMatch(/is in the future/);
    expect(folder.text).toBe(EXAMPLE);
  });
});

describe('tokens: dates are calendar dates', () => {
  let folder: MapFolder;
  beforeEach(() => {
    folder = new MapFolder();
  });
  afterEach(() => folder.remove());

  test.each([
    [['rotate', 'primary', '--record-only', '--minted-at', '2026-02-30T00:00:00Z'], /--minted-at "2026-02-30T00:00:00Z" has day 30: 2026-02 has 28 days/],
    [['rotate', 'primary', '--record-only', '--minted-at', '2026-13-45T99:99:99Z'], /has month 13: months run 01 to 12/],
    [['rotate', 'primary', '--record-only', '--minted-at', '2026-11-20T24:00:00Z'], /has time 24:00:00/],
    [['rotate', 'primary', '--record-only', '--minted-at', '2026-11-20T10:00:00+25:00'], /has zone offset \+25:00/],
    [['rotate', 'primary', '--record-only', '--minted-at', '12345678901234567890'], /has 20 digits: no unix time in seconds is that large/],
    [['status', '--at', '2026-13-45T99:99:99Z', '--fail-under-days', '30'], /--at "2026-13-45T99:99:99Z" has month 13/],
    [['status', '--at', '2026-01-01T00:00:00Z'], /--at 2026-01-01T00:00:00Z is before 'primary' was minted \(2026-04-18T16:07:09Z\), 'spare-1' was minted .*Ask about a time after every mint/],
    [['status', '--fail-under-days', '1e3'], /--fail-under-days "1e3" must be a whole number of days/],
  ])('%j is a usage error (exit 1), never a crash, NaN or a blamed map', async (argv, message) => {
    const run = await folder.run(argv);
    expect(run).toMatchObject({ status: 1, stdout: '' });
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/NaN|RangeError|^\s+at /m);
    expect(folder.text).toBe(EXAMPLE);
  });

  test('a real date with a zone offset is stored as its UTC instant', async () => {
    expect((await folder.run(['rotate', 'spare-1', '--record-only', '--minted-at', '2026-11-20T10:30:00+01:00'])).status).toBe(0);
    expect(folder.text).toContain("  'spare-1': 1795167000, // 2026-11-20T09:30:00Z");
    expect((await folder.run(['rotate', 'spare-2', '--record-only', '--minted-at', '2024-02-29T00:00:00Z'])).stderr).toMatch(/is before 2025-01-01/); // a leap day is a date
  });
});

describe('tokens: a token given anywhere is never echoed', () => {
  let folder: MapFolder;
  let api: Awaited<ReturnType<typeof startFakeApi>>;
  const token = makeToken();
  const secretPart = token.slice(13);
  beforeAll(async () => {
    api = await startFakeApi(new Map());
  });
  beforeEach(() => {
    folder = new MapFolder();
  });
  afterEach(() => folder.remove());
  afterAll(() => api.close());

  test.each([
    [[token]],
    [['status', token]],
    [[`--${token}`]],
    [['status', `--${token}`]],
    [['status', '--at', token]],
    [['status', `--at=${token}`]],
    [['status', '--fail-under-days', token]],
    [['rotate', token, '--record-only']],
    [['rotate', token, '--record-only', '--add']],
    [['rotate', 'primary', '--record-only', '--minted-at', token]],
    [['remove', token]],
    [['probe', token]],
    [['probe', '--stdin', '--endpoint', token]],
    [['probe', '--stdin', '--endpoint', `https://x.example/${token}`, '--bogus']],
  ])('%j: refused, and neither output holds the token', async (argv) => {
    const run = await folder.run(argv);
    expect(run.status).not.toBe(0);
    expect(`${run.stdout}${run.stderr}`).not.toContain(secretPart.slice(0, 12));
    expect(`${run.stdout}${run.stderr}`).toMatch(/tokens: /);
    expect(folder.text).toBe(EXAMPLE);
  });

  test('a token pasted into the map as a key: status names the line and says to delete and rotate it, without repeating it', async () => {
    writeFileSync(folder.file, EXAMPLE.replace('};', `  '${token}': 1776528429,\n};`));
    const run = await folder.run(['status']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/'sk-ant-oat01-…\(redacted, 108 chars\)' \(\S*token-mint-epochs\.ts:5\): is a token, not a token path: delete it/);
    expect(run.stderr).not.toContain(secretPart.slice(0, 12));
  });
});

describe('tokens probe: the shape is checked before any request', () => {
  let folder: MapFolder;
  let api: Awaited<ReturnType<typeof startFakeApi>>;
  beforeAll(async () => {
    folder = new MapFolder();
    api = await startFakeApi(new Map());
  });
  afterAll(async () => {
    folder.remove();
    await api.close();
  });

  const token = makeToken();
  test.each([
    ['a megabyte', token + 'x'.repeat(1 << 20), /the token has 1048684 characters; a setup-token has 108/],
    ['two lines', `${token}\n${token}\n`, /standard input has 2 lines: paste the token alone, on one line/],
    ['a space inside', `${token.slice(0, 50)} ${token.slice(50)}`, /space or unprintable character at position 51/],
    ['one character lost at an 80-column wrap', token.slice(0, 80) + token.slice(81), /107 characters, one short of 108: copying from an 80-column terminal/],
    ['an API key', ['sk', 'ant', 'api03', token.slice(13)].join('-'), /not a setup-token: it does not start with sk-ant-oat01- \(this is sk-ant-api03-…\(redacted, 108 chars\), another kind/],
  ])('%s: usage error (exit 1), nothing sent, nothing echoed', async (_case, stdin, message) => {
    const before = api.requests.length;
    const run = await folder.run(['probe', '--stdin', '--endpoint', api.url], stdin);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toContain('Nothing was sent.');
    expect(run.stderr).not.toContain(token.slice(20, 40));
    expect(api.requests).toHaveLength(before);
  });
});

describe('tokens: the command line refuses what it cannot mean', () => {
  let folder: MapFolder;
  beforeEach(() => {
    folder = new MapFolder();
  });
  afterEach(() => folder.remove());

  test.each([
    [['rotate', 'spare-9', '--record-only', '--add=false'], '--add is a switch and takes no value: write --add alone, or leave it out.'],
    [['status', '--json=nope'], '--json is a switch and takes no value'],
    [['status', '--at', '2026-11-01T00:00:00Z', '--at', '2026-12-01T00:00:00Z'], '--at is given twice: give it once.'],
    [['rotate', 'spare-1', '--record-only', '--minted-at', '2026-11-01T00:00:00Z', '--minted-at=now'], '--minted-at is given twice'],
    [['status', '--at', '0099-06-01T00:00:00Z'], '--at "0099-06-01T00:00:00Z" has year 0099: write a year from 1970 on.'],
    [['rotate', 'spare-1', '--record-only', '--minted-at', '0025-06-01T00:00:00Z'], '--minted-at "0025-06-01T00:00:00Z" has year 0025: write a year from 1970 on.'],
    [['status', '--at', '1796500000000'], '--at "1796500000000" has 13 digits: that is milliseconds; write seconds, 1796500000 (2026-12-05T19:46:40Z)'],
    [['status', '--at', '99999999999999'], '--at "99999999999999" has 14 digits: no unix time in seconds is that large'],
    [['status', '--at', '2026-12-01T00:00:00-13:00'], '--at "2026-12-01T00:00:00-13:00" has zone offset -13:00: offsets run -12:00 to +14:00'],
    [['status', '--at', '2026-12-01T00:00:00+14:59'], 'has zone offset +14:59: offsets run -12:00 to +14:00'],
    [['help', 'bogus'], "no help on 'bogus': the commands are status, rotate, remove, promote, probe"],
    // A map line nothing in Vault backs would turn the alerts green: rotate says how the token gets there.
    [['rotate', 'primary'], 'say how the token gets to Vault: --store (read at a silent prompt, probed, stored, then recorded: node bin/tokens.js rotate primary --store) or --record-only'],
    [['rotate', 'spare-1', '--store', '--record-only'], '--store and --record-only exclude each other'],
  ])('%j: a usage error that says why, and the map untouched', async (argv, message) => {
    const run = await folder.run(argv);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(message);
    expect(folder.text).toBe(EXAMPLE);
  });

  test('a user and password in the probe endpoint are refused and never repeated, even in a malformed URL', async () => {
    for (const endpoint of ['https://user:hunter2@[bad/', 'https://user:hunter2@api.example.test/v1/messages']) {
      const run = await folder.run(['probe', '--stdin', '--endpoint', endpoint], makeToken());
      expect(run.status).toBe(1);
      expect(`${run.stdout}${run.stderr}`).not.toMatch(/hunter2|user:/);
      expect(run.stderr).toContain('//…@');
    }
  });

  test('a token-shaped argument is refused before anything else is looked at, naming the danger', async () => {
    const run = await folder.run(['probe', makeToken()]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^tokens: an argument is a credential \(sk-ant-oat01-…\(redacted, 108 chars\)\): never pass a token on the command line/);
    expect(run.stderr).toContain('node bin/tokens.js probe --stdin');
  });

  test.each(['status', 'rotate', 'remove', 'promote', 'probe'])('%s --help (and help %s): its usage with an example, exit 0, nothing done', async (command) => {
    for (const argv of [[command, '--help'], [command, '-h'], ['help', command], [command, 'primary', '--help']]) {
      const run = await folder.run(argv);
      expect({ argv, status: run.status }).toEqual({ argv, status: 0 });
      expect(run.stdout).toMatch(new RegExp(`^Usage: .*${command}`));
      expect(run.stdout).toMatch(/\nExample: \S/);
      expect(folder.text).toBe(EXAMPLE);
    }
  });
});
