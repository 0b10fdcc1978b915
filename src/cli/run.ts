// Entry point of the `ari-dialer` binary; main.ts stays importable without running.
import { main } from './main.js';

// `ari-dialer campaign report ID | head`: a reader that stops early is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

process.exitCode = await main(process.argv.slice(2));
