#!/usr/bin/env node
// `dial ENDPOINT CALLERID CONTEXT EXTENSION PRIORITY TIMEOUT`: the seed script's interface. The compiled code when
// installed; in a checkout (src/ beside bin/) the TypeScript source through tsx.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli/dial.ts', import.meta.url);
let dial;
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  dial = await import(source.href);
} else {
  dial = await import('../dist/src/cli/dial.js');
}
process.exitCode = await dial.runDialCli(process.argv.slice(2));
