// Entry point of the `ari-dialer` binary; main.ts stays importable without running.
import { main } from './main.js';

// `ari-dialer campaign report ID | head`: a reader that stops early is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

process.exitCode = await main(process.argv.slice(2));

// Every command has finished its work when main() returns (long-running ones return after their shutdown).
// Whatever a failed start left open (a socket, a child's server) must not keep the process alive.
setTimeout(() => process.exit(process.exitCode), 2000).unref();
