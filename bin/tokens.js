#!/usr/bin/env node
// The `tokens` command: the TypeScript CLI under the same transpile-only loader as npm run tokens.
require('../tools/tty-echo-off.js');
require('../tools/register-ts.js');
require('../tools/tokens.ts').main();
