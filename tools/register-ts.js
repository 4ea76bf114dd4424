// Preload for running the TypeScript app transpile-only (`node -r ./tools/register-ts.js main.ts`),
// as esbuild-register's own preload does, but without Node's source-map support: esbuild-register
// turns it on for every module loaded after it, and parsing the inline source maps the provider
// packages ship costs about a third of a synth. Type checking runs in `npm test` and CI.
require('esbuild-register/dist/node').register({ target: `node${process.version.slice(1)}`, sourcemap: false });
process.setSourceMapsEnabled(false);
