import { EPOCH_MAP_FILE } from '../../devkit/app-copy';
import { AppRepo } from '../helpers/app-repo';
import { makeToken } from '../helpers/fake-anthropic-api';

describe('npm run check: token-shaped strings', () => {
  let repo: AppRepo;
  beforeEach(() => {
    repo = new AppRepo();
  });
  afterEach(() => repo.remove());

  test('fails on a token-shaped string in a tracked file, and never prints it whole', async () => {
    const planted = ['sk', 'ant', 'oat01', 'Q'.repeat(24) + 'test'].join('-'); // built here: never committed to this repo
    repo.write('notes.md', `left here by mistake: ${planted}\n`);
    repo.commit('oops');
    const run = await repo.check('--base', 'HEAD~1');
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('Result: FAIL');
    expect(run.stdout).toMatch(/token-shaped string at notes\.md:1 \(tracked file\): sk-ant-oat01-…\(redacted, 41 chars\)/);
    expect(run.stdout).not.toContain(planted);
    expect(run.stderr).not.toContain(planted);
  });

  test('a token pasted into the map: the failure and the echoed synth error show only its prefix and length', async () => {
    const token = makeToken();
    repo.write(EPOCH_MAP_FILE, repo.read(EPOCH_MAP_FILE).replace('primary: 1776528429,', `primary: 1776528429,\n  '${token}': 1776528429,`));
    const run = await repo.check('--base', 'HEAD', '--format', 'markdown');
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/head does not synthesize: .*'sk-ant-oat01-…\(redacted, 108 chars\)' \(stacks\/claude-agent-service\/token-mint-epochs\.ts:\d+\): is a token, not a token path/);
    expect(run.stdout).toMatch(/token-shaped string at stacks\/claude-agent-service\/token-mint-epochs\.ts:\d+ \(tracked file\): sk-ant-oat01-…\(redacted, 108 chars\)/);
    expect(`${run.stdout}${run.stderr}`).not.toContain(token.slice(13, 40));
  });

  test('finds a token in a tracked binary file too', async () => {
    const token = makeToken();
    repo.write('blob.bin', `\u0000\u0001binary\u0000${token}\u0000`);
    repo.commit('a binary file');
    const run = await repo.check('--base', 'HEAD~1');
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('token-shaped string at blob.bin:1 (tracked file): sk-ant-oat01-…(redacted, 108 chars)');
    expect(run.stdout).not.toContain(token.slice(13, 40));
  });
});
