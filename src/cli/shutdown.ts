/**
 * Resolves after `stop` ran once on the first SIGTERM or SIGINT. A second signal exits at once
 * (the operator insists).
 */
export function onShutdown(stop: (signal: string) => Promise<void>): Promise<void> {
  return new Promise<void>((resolve) => {
    let stopping = false;
    const handler = (signal: NodeJS.Signals) => {
      if (stopping) process.exit(130);
      stopping = true;
      stop(signal).then(resolve, (err) => {
        process.stderr.write(`shutdown failed: ${(err as Error).message}\n`);
        process.exitCode = 1;
        resolve();
      });
    };
    process.on('SIGTERM', handler);
    process.on('SIGINT', handler);
  });
}
