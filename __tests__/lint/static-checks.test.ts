import { spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { REPO_ROOT } from '../../devkit/app-copy';

/**
 * `npm test`'s first step (devkit/static-checks.ts: the type check and the lint over one program) on a
 * project of two files, so that proving it fails costs a second, not the repository's full program.
 */
describe('the static checks', () => {
  let project: string;
  beforeAll(() => {
    project = mkdtempSync(path.join(tmpdir(), 'static-checks-'));
    // The repository's packages, in a node_modules of the project's own (ESLint keeps its cache there).
    mkdirSync(path.join(project, 'node_modules'));
    for (const entry of readdirSync(path.join(REPO_ROOT, 'node_modules'))) {
      if (!entry.startsWith('.')) symlinkSync(path.join(REPO_ROOT, 'node_modules', entry), path.join(project, 'node_modules', entry));
    }
    writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, noEmit: true, target: 'ES2022', module: 'commonjs', lib: ['ES2022'], types: [] }, include: ['*.ts'] }));
    writeFileSync(
      path.join(project, 'eslint.config.mjs'),
      [
        "import tseslint from 'typescript-eslint';",
        "export default tseslint.config({ ignores: ['node_modules/', '*.mjs'] }, ...tseslint.configs.recommendedTypeChecked, {",
        '  languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },',
        '});',
        '',
      ].join('\n'),
    );
  });
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  // That it passes a sound project, `npm test` proves on this repository every run.
  test('a type error and a type-aware lint error each fail it, each named where it is', () => {
    writeFileSync(path.join(project, 'typed.ts'), "export const count: number = 'three';\n");
    writeFileSync(path.join(project, 'linted.ts'), 'export function forget(): void {\n  Promise.resolve(1);\n}\n');
    const failed = spawnSync(process.execPath, ['-r', path.join(REPO_ROOT, 'tools/register-ts.js'), path.join(REPO_ROOT, 'devkit/static-checks.ts'), project], { encoding: 'utf8' });
    expect(failed.status).toBe(1);
    expect(failed.stderr).toMatch(/typed\.ts.*TS2322/);
    expect(failed.stderr).toMatch(/linted\.ts[\s\S]*2:3 +error .*@typescript-eslint\/no-floating-promises/);
    expect(failed.stderr).toContain('static checks failed: 1 type error(s) (npm run typecheck), 1 lint error(s) (npm run lint)');
  });
});
