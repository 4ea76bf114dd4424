import { spawnSync } from 'child_process';
import { existsSync } from 'fs';
import * as path from 'path';
import { AppCopy } from '../../devkit/app-copy';
import { StandinTerraform } from '../helpers/standin-terraform';

jest.setTimeout(180_000);

/** The real cdktf CLI (node_modules/.bin/cdktf 0.21), synthesizing the app and driving a stand-in terraform. */
describe('the commands the project prints, through the real cdktf CLI', () => {
  let app: AppCopy;
  let terraform: StandinTerraform;
  beforeAll(() => {
    app = new AppCopy();
    terraform = new StandinTerraform();
  });
  afterAll(() => {
    app.remove();
    terraform.remove();
  });
  beforeEach(() => terraform.reset());
  const cdktf = (args: string[]) => app.runBin('cdktf', args, { PATH: `${terraform.binDir}:${process.env.PATH}` });
  /** A printed command, run as an operator pastes it into a shell in the repository (non-interactive: --auto-approve). */
  const asPrinted = (command: string) =>
    spawnSync('sh', ['-c', `${command} --auto-approve`], {
      cwd: app.dir,
      encoding: 'utf8',
      timeout: 180_000,
      env: { ...process.env, PATH: `${terraform.binDir}:${process.env.PATH}`, CHECKPOINT_DISABLE: undefined, CI: 'true', CDKTF_CONTEXT_JSON: undefined, CDKTF_OUTDIR: undefined },
    });
  /** Settings as an operator sets them for the CLI: in cdktf.json (the CLI passes the app its own context). */
  const withSettings = (context: object) => {
    const cdktfJson = JSON.parse(app.read('cdktf.json'));
    app.write('cdktf.json', JSON.stringify({ ...cdktfJson, context: { ...cdktfJson.context, ...context } }, null, 2));
  };

  /** The deploy command a `tokens` run printed (the one an operator copies). */
  const printedDeploy = (stdout: string) => /Deploy: \(after merge\) (npm run deploy -- [\w -]+?) {3}\(/.exec(stdout)![1];

  test('a rotation: the deploy command `tokens rotate` prints applies the agents\' stack alone; `cdktf diff` plans it', async () => {
    const rotate = await app.tokens(['rotate', 'spare-1', '--record-only', '--minted-at', '2026-11-20T09:30:00Z']);
    expect(rotate.status).toBe(0);
    const printed = printedDeploy(rotate.stdout);
    expect(printed).toBe('npm run deploy -- claude-agent-service');
    const deploy = asPrinted(printed);
    expect(`${deploy.stdout}${deploy.stderr}`).not.toMatch(/dependencies are not included/);
    expect(deploy.status).toBe(0);
    expect(terraform.dirsOf('init')).toEqual(['claude-agent-service']);
    expect(terraform.dirsOf('apply')).toEqual(['claude-agent-service']);
    expect(terraform.calls().find((call) => call.args.startsWith('apply'))!.args).toContain('-auto-approve');

    terraform.reset();
    const diff = cdktf(['diff', 'claude-agent-service']);
    expect(diff.status).toBe(0);
    expect(terraform.dirsOf('plan')).toEqual(['claude-agent-service']);
    expect(terraform.dirsOf('apply')).toEqual([]);
  });

  test('with a Pushgateway this project installs, the agents\' stack alone is refused, and the command `tokens rotate --add` prints runs as printed: monitoring first, then vault-access (the wider policy) and the agents\' stack', async () => {
    withSettings({ pushgateway: { deploy: {} } });
    const alone = cdktf(['deploy', 'claude-agent-service', '--auto-approve']);
    expect(alone.status).not.toBe(0);
    expect(`${alone.stdout}${alone.stderr}`).toContain('The following dependencies are not included in the stacks to run: monitoring');
    expect(terraform.dirsOf('apply')).toEqual([]);

    const rotate = await app.tokens(['rotate', 'spare-3', '--record-only', '--add', '--minted-at', '1776528429']);
    expect(rotate.status).toBe(0);
    const printed = printedDeploy(rotate.stdout);
    expect(printed).toBe('npm run deploy -- monitoring vault-access claude-agent-service');
    const deploy = asPrinted(printed);
    expect(deploy.status).toBe(0);
    const applied = terraform.dirsOf('apply');
    expect(applied).toHaveLength(3);
    expect(applied.indexOf('monitoring')).toBeLessThan(applied.indexOf('claude-agent-service'));
    expect(applied.sort()).toEqual(['claude-agent-service', 'monitoring', 'vault-access']);
  });

  test("the README's direct terraform commands (no cdktf CLI) run in each stack's directory, in install order, with the state beside the repo", () => {
    const readme = app.read('docs/deploying.md');
    const section = readme.slice(readme.indexOf('### Without the cdktf CLI'));
    const block = /```sh\n([\s\S]*?)```/.exec(section)![1];
    const lines = block.trim().split('\n');
    expect(lines[0]).toBe('npm run synth');
    expect(app.synth().status).toBe(0);
    for (const line of lines.slice(1)) {
      const run = spawnSync('sh', ['-c', line], { cwd: app.dir, encoding: 'utf8', env: { ...process.env, PATH: `${terraform.binDir}:${process.env.PATH}` } });
      expect({ line, status: run.status }).toEqual({ line, status: 0 });
    }
    expect(terraform.calls().map((call) => `${call.args.split(' ')[0]} ${call.dir}`)).toEqual([
      'init monitoring',
      'apply monitoring',
      'init vault-access',
      'apply vault-access',
      'init claude-agent-service',
      'apply claude-agent-service',
    ]);
    for (const stack of ['monitoring', 'vault-access', 'claude-agent-service']) {
      const stateFrom = path.resolve(app.dir, 'cdktf.out/stacks', stack, app.stackJson(stack).terraform.backend.local.path);
      expect(stateFrom).toBe(path.join(app.dir, `terraform.${stack}.tfstate`));
      expect(existsSync(path.join(app.dir, 'cdktf.out/stacks', stack, 'cdk.tf.json'))).toBe(true);
    }
  });
});
