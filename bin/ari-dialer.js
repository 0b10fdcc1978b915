#!/usr/bin/env node
// `ari-dialer`: src/cli/run.ts (see cli-module.js for which copy runs).
import { cliModule } from './cli-module.js';

await cliModule('run');
