#!/usr/bin/env node
// `dial ENDPOINT CALLERID CONTEXT EXTENSION PRIORITY TIMEOUT`: the seed script's interface (see cli-module.js for
// which copy runs).
import { cliModule } from './cli-module.js';

const { runDialCli } = await cliModule('dial');
process.exitCode = await runDialCli(process.argv.slice(2));
