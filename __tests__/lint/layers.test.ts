import { spawnSync } from 'child_process';
import { mkdirSync } from 'fs';
import * as path from 'path';
import { AppCopy, REPO_ROOT } from '../../devkit/app-copy';

/**
 * The layer rule of eslint.config.mjs, run by the real ESLint on files that break it: without type
 * information (the rule needs none), so that the test proves the rule and not the type checker.
 */
describe('npm run lint: layers point down', () => {
  const app = new AppCopy();
  afterAll(() => app.remove());

  const lint = (files: Record<string, string>) => {
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(app.dir, file)), { recursive: true });
      app.write(file, text);
    }
    app.write(
      'layers-only.config.mjs',
      [
        "import tseslint from 'typescript-eslint';",
        `import { harnessRules, layerRules } from ${JSON.stringify(path.join(REPO_ROOT, 'eslint.config.mjs'))};`,
        "export default [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, ...layerRules, harnessRules];",
      ].join('\n'),
    );
    const run = spawnSync(path.join(app.dir, 'node_modules', '.bin', 'eslint'), ['--no-config-lookup', '-c', 'layers-only.config.mjs', '--format', 'json', ...Object.keys(files)], {
      cwd: app.dir,
      encoding: 'utf8',
    });
    const results = JSON.parse(run.stdout) as Array<{ filePath: string; messages: Array<{ line: number; message: string }> }>;
    return Object.fromEntries(results.map((result) => [path.relative(app.dir, result.filePath), result.messages.map((m) => `${m.line}: ${m.message}`)]));
  };

  test('each layer is refused what lies above it, the test helpers and the root provider packages; what lies below is allowed', () => {
    const found = lint({
      'inventory/up.ts': "import { MonitorEnv } from '../lambda-src/contract';\nexport const a = MonitorEnv;\n",
      'lambda-src/up.ts': "import { Construct } from 'constructs';\nimport { redactSecrets } from '../inventory/token-shape';\nexport const b = [Construct, redactSecrets];\n",
      'alerts/up.ts': "import { AppCopy } from '../devkit/app-copy';\nimport { Duration } from '../inventory/duration';\nexport const c = [AppCopy, Duration];\n",
      'constructs/up.ts': "import { Manifest } from '@cdktf/provider-kubernetes';\nimport { runCheck } from '../tools/check';\nexport const d = [Manifest, runCheck];\n",
      'stacks/up.ts': "import { runSynth } from '../main';\nimport { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';\nexport const e = [runSynth, Manifest];\n",
      'tools/down.ts': "import { runSynth } from '../main';\nimport { ExpiryMonitor } from '../constructs/expiry-monitor';\nexport const f = [runSynth, ExpiryMonitor];\n",
      'devkit/down.ts': "import { synthStack } from '../__tests__/helpers/synth';\nimport { runSynth } from '../main';\nexport const g = [synthStack, runSynth];\n",
    });
    expect(found['inventory/up.ts']).toEqual([expect.stringMatching(/^1: '..\/lambda-src\/contract' import is restricted .*inventory\/ may import only from the layers below it \(none\)/)]);
    expect(found['lambda-src/up.ts']).toEqual([expect.stringMatching(/^1: 'constructs' import is restricted .*The in-cluster scripts stand alone/)]);
    expect(found['alerts/up.ts']).toEqual([expect.stringMatching(/^1: '..\/devkit\/app-copy' import is restricted .*the benchmark build on the project/)]);
    expect(found['constructs/up.ts']).toEqual([
      expect.stringMatching(/^1: '@cdktf\/provider-kubernetes' import is restricted .*by its deep path/),
      expect.stringMatching(/^2: '..\/tools\/check' import is restricted .*constructs\/ may import only from the layers below it/),
    ]);
    expect(found['stacks/up.ts']).toEqual([
      expect.stringMatching(/^1: '..\/main' import is restricted .*stacks\/ may import only/),
      expect.stringMatching(/^2: '@cdktf\/provider-kubernetes\/lib\/manifest' import is restricted .*imported in constructs\/ only/),
    ]);
    expect(found['tools/down.ts']).toEqual([]);
    expect(found['devkit/down.ts']).toEqual([expect.stringMatching(/^1: '..\/__tests__\/helpers\/synth' import is restricted .*Only tests import test helpers/)]);
  });
});
