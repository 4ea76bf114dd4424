import { CommandResult } from '../../devkit/app-copy';
import { AppRepo } from '../helpers/app-repo';

/**
 * A head whose code differs from this checkout's synthesizes in a process of its own; one such head
 * carries three changes, each asserted on its own.
 */
describe('npm run check on a head whose code changed', () => {
  let repo: AppRepo;
  let run: CommandResult;
  beforeAll(async () => {
    repo = new AppRepo();
    // The monitor program changes.
    repo.write('lambda-src/contract.ts', `${repo.read('lambda-src/contract.ts')}\nexport const NOTE = 'changed';\nconsole.log(NOTE);\n`);
    // A construct assembles a token-shaped label at synth time: git grep sees only its parts.
    const labels = 'constructs/labels.ts';
    repo.write(labels, repo.read(labels).replace("'app.kubernetes.io/managed-by': 'cdktf',", "'app.kubernetes.io/managed-by': 'cdktf',\n    note: ['sk', 'ant', 'oat01', 'Q'.repeat(40)].join('-'),"));
    // The token's ExternalSecret asks for an API version the CRD no longer serves.
    const construct = 'constructs/external-secret-manifest.ts';
    repo.write(construct, repo.read(construct).replace("apiVersion: 'external-secrets.io/v1',", "apiVersion: 'external-secrets.io/v1beta1',"));
    run = await repo.check('--base', 'HEAD');
  });
  afterAll(() => repo.remove());

  test('shows the bundled monitor script by size and hash, not as a blob', () => {
    expect(run.stdout).toMatch(/^ {2}- data\.monitor\.js: changed, \d+ bytes, sha256 [a-f0-9]{12} -> [a-f0-9]{12}$/m);
    expect(run.stdout).not.toContain('function'); // no script text in the report
  });

  test('finds a token that only the synth output holds (built at synth, in no tracked file)', () => {
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/token-shaped string at stacks\/claude-agent-service\/cdk\.tf\.json \(synth output\): sk-ant-oat01-…\(redacted, 53 chars\)/);
    expect(run.stdout).not.toMatch(/\(tracked file\)/);
    expect(run.stdout).not.toContain('Q'.repeat(20));
  });

  test('fails on a CRD-schema violation in the head', () => {
    expect(run.stdout).toContain('CRD schema: claude-agent-service: ExternalSecret/claude-oauth-token');
    expect(run.stdout).toContain('external-secrets.io/v1beta1 ExternalSecret is not served by the CRD');
  });
});
