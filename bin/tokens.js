#!/usr/bin/env node
// The `tokens` command: the TypeScript CLI under esbuild's transpile-only loader, as npm run tokens runs it.
require('esbuild-register/dist/node').register({ target: 'node20' });
require('../tools/tokens.ts').main();
