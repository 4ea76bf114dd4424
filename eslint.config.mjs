// `npm run lint` (and `npm test`): typescript-eslint's type-checked recommendations, plus the layer
// rule of DESIGN principle 7 — each folder imports only from the folders below it:
//   inventory <- lambda-src <- settings <- alerts <- constructs <- stacks <- main.ts <- tools
// devkit/ and bench/ are harnesses over all of it; nothing outside __tests__ imports a test helper.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const LAYERS = ['inventory', 'lambda-src', 'settings', 'alerts', 'constructs', 'stacks', 'main', 'tools'];

/** The import patterns a file in `layer` may not use: every layer above it, and the test helpers. */
function importsAbove(layer) {
  const above = LAYERS.slice(LAYERS.indexOf(layer) + 1);
  return [
    ...(above.length === 0 ? [] : [{
      group: above.map((name) => (name === 'main' ? '**/main' : `**/${name}/*`)),
      message: `${layer === 'main' ? 'main.ts' : `${layer}/`} may import only from the layers below it (${LAYERS.slice(0, LAYERS.indexOf(layer)).join(', ') || 'none'}): inventory <- lambda-src <- settings <- alerts <- constructs <- stacks <- main.ts <- tools.`,
    }]),
    { group: ['**/__tests__/*', '**/devkit/*', '**/bench/*'], message: 'The tests, their harness (devkit/) and the benchmark build on the project, never the other way round.' },
  ];
}

/** One `no-restricted-imports` block per layer (exported for the test that proves it refuses). */
export const layerRules = LAYERS.map((layer) => ({
  files: layer === 'main' ? ['main.ts'] : [`${layer}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          ...importsAbove(layer),
          ...(layer === 'lambda-src'
            ? [{ group: ['cdktf', 'constructs', '@cdktf/*'], message: 'The in-cluster scripts stand alone: no cdktf, constructs or providers in their bundle.' }]
            : []),
          ...(layer === 'constructs' ? [] : [{ group: ['@cdktf/provider-*'], message: 'Provider classes are imported in constructs/ only (by deep path).' }]),
        ],
        paths: ['@cdktf/provider-kubernetes', '@cdktf/provider-helm', '@cdktf/provider-vault'].map((name) => ({
          name,
          message: 'Import the class by its deep path (e.g. @cdktf/provider-kubernetes/lib/cron-job-v1): the package root loads every resource.',
        })),
      },
    ],
  },
}));

/** devkit/ and bench/ may use everything but the tests. */
export const harnessRules = {
  files: ['devkit/**/*.ts', 'bench/**/*.ts'],
  rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/__tests__/*'], message: 'Only tests import test helpers; shared harness code lives in devkit/.' }] }] },
};

export default tseslint.config(
  { ignores: ['node_modules/', 'cdktf.out/', '.gen/', 'coverage/', '.bench/', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // `_`-prefixed names are deliberately unused (a destructured field dropped on purpose).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  ...layerRules,
  {
    // The tests walk synthesized Terraform JSON and HTTP bodies, which are untyped by nature; typing
    // every path they assert on would add casts, not safety. The code they test gets every rule.
    files: ['__tests__/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  harnessRules,
);
