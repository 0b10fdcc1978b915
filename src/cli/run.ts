// Entry point of the `ari-dialer` binary; main.ts stays importable without running.
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
