// Jest's transform for the TypeScript sources and tests: esbuild strips the types with tsconfig.json's
// compiler options, as tools/register-ts.js does for the app. Type checking is `tsc --noEmit` in
// `npm test`, before Jest, so Jest only needs the JavaScript: ts-jest loaded the TypeScript compiler in
// every worker and transpiled each file with it (about 9 CPU-s of a cold suite). The source map comes
// back with the code, so a failing test's stack points at the .ts line. No test uses jest.mock (which
// would need the calls hoisted above the imports, as babel-jest and ts-jest do).
const { createHash } = require('crypto');
const { readFileSync } = require('fs');
const path = require('path');

const ROOT = path.join(__dirname, '..');
const { compilerOptions } = JSON.parse(readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8'));
const OPTIONS = { loader: 'ts', format: 'cjs', target: `node${process.versions.node}`, sourcemap: 'external', tsconfigRaw: { compilerOptions } };
const VERSION = JSON.parse(readFileSync(require.resolve('esbuild/package.json'), 'utf8')).version;
const SALT = JSON.stringify([OPTIONS, VERSION, readFileSync(__filename, 'utf8')]);
let esbuild; // loaded on the first file Jest's cache does not already hold

module.exports = {
  getCacheKey(source, filename) {
    return createHash('sha256').update(SALT).update('\0').update(filename).update('\0').update(source).digest('hex');
  },
  process(source, filename) {
    esbuild ??= require('esbuild');
    const { code, map } = esbuild.transformSync(source, { ...OPTIONS, sourcefile: filename });
    return { code, map };
  },
};
