// Preload for running the TypeScript app transpile-only (`node -r ./tools/register-ts.js main.ts`).
// Type checking runs in `npm test` and CI; here each .ts file is only stripped of its types, by
// esbuild with tsconfig.json's compiler options, and the result kept by its content hash in
// node_modules/.cache, so a later run (a second synth, every `tokens` command) loads it without
// transpiling anything: transpiling every file on every run cost about a third of a synth. No source
// maps: parsing the inline maps the provider packages ship cost another third, and a stack trace
// never reaches a user.
const { createHash } = require('crypto');
const { mkdirSync, readFileSync, renameSync, writeFileSync } = require('fs');
const Module = require('module');
const path = require('path');

const ROOT = path.join(__dirname, '..');
const CACHE_DIR = path.join(ROOT, 'node_modules', '.cache', 'claude-oauth-tokens', 'register-ts');
let options;
let cacheSalt;
let esbuild; // loaded on the first file not in the cache

/** The file's JavaScript: from the cache when this source was transpiled before with these options. */
function transpile(source, filename) {
  if (!options) {
    const { compilerOptions } = JSON.parse(readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8'));
    options = { loader: 'ts', format: 'cjs', target: `node${process.versions.node}`, sourcemap: false, tsconfigRaw: { compilerOptions } };
    const { version } = JSON.parse(readFileSync(require.resolve('esbuild/package.json'), 'utf8'));
    cacheSalt = JSON.stringify([options, version]);
  }
  const cached = path.join(CACHE_DIR, `${createHash('sha256').update(cacheSalt).update('\0').update(source).digest('hex')}.js`);
  try {
    return readFileSync(cached, 'utf8');
  } catch {
    // not kept yet
  }
  esbuild ??= require('esbuild');
  const { code } = esbuild.transformSync(source, { ...options, sourcefile: filename });
  try {
    mkdirSync(CACHE_DIR, { recursive: true });
    // Whole or not at all: a parallel run never reads half a file.
    const incoming = `${cached}.${process.pid}.tmp`;
    writeFileSync(incoming, code);
    renameSync(incoming, cached);
  } catch {
    // A read-only node_modules only costs transpiling again next time.
  }
  return code;
}

Module._extensions['.ts'] = function loadTypeScript(module, filename) {
  module._compile(transpile(readFileSync(filename, 'utf8'), filename), filename);
};
process.setSourceMapsEnabled(false);
