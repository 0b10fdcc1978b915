#!/usr/bin/env node
// `ari-dialer`: the compiled CLI when installed; in a checkout (src/ beside bin/) the TypeScript source through tsx,
// so a developer never runs a stale dist/.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli/run.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import('../dist/src/cli/run.js');
}
