#!/usr/bin/env node
// `dial ENDPOINT CALLERID CONTEXT EXTENSION PRIORITY TIMEOUT`: the seed script's interface.
import { register } from 'tsx/esm/api';
register();
const { runDialCli } = await import('../src/cli/dial.ts');
process.exitCode = await runDialCli(process.argv.slice(2));
