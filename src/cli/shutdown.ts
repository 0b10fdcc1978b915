import type { DrainReport } from '../../jobs/campaign-worker.js';
import { EXIT } from './exit-codes.js';

export interface ShutdownOptions {
  /**
   * From the first signal, the longest the stop may take: past it the process exits with EXIT.SHUTDOWN_FORCED
   * whatever still runs, so that systemd or Kubernetes never has to SIGKILL a hang (shutdownGraceS + 10 s).
   */
  deadlineMs?: number;
  /** Where the command's exit code goes (main returns it). @defaultValue process.exitCode */
  setCode?: (code: number) => void;
}

/** The stop's budget for a grace of `graceS`: the bound, a little under shutdownGraceS + 10 s. */
export const shutdownDeadlineMs = (graceS: number): number => graceS * 1000 + 9_500;

/**
 * Resolves after `stop` ran once on the first SIGTERM or SIGINT; `stop` returns the exit code. A second signal exits
 * at once (the operator insists); a stop still running at the deadline exits with EXIT.SHUTDOWN_FORCED.
 */
export function onShutdown(stop: (signal: string) => Promise<number | void>, o: ShutdownOptions = {}): Promise<void> {
  return new Promise<void>((resolve) => {
    let stopping = false;
    const handler = (signal: NodeJS.Signals) => {
      if (stopping) process.exit(130);
      stopping = true;
      const deadlineMs = o.deadlineMs;
      const deadline =
        deadlineMs === undefined
          ? undefined
          : setTimeout(() => {
              process.stderr.write(
                `ari-dialer: still stopping ${Math.round(deadlineMs / 1000)} s after ${signal}; exiting (exit code ${EXIT.SHUTDOWN_FORCED})\n`,
              );
              process.exit(EXIT.SHUTDOWN_FORCED);
            }, deadlineMs);
      let code: number = EXIT.ERROR;
      stop(signal)
        .then(
          (c) => (code = c ?? EXIT.OK),
          (err: unknown) => process.stderr.write(`ari-dialer: shutdown failed: ${(err as Error).message}\n`),
        )
        .finally(() => {
          clearTimeout(deadline);
          if (o.setCode) o.setCode(code);
          else process.exitCode = code;
          // Stopped: a socket to something unreachable that is still closing must not keep the process alive.
          setTimeout(() => process.exit(code), 300).unref();
          resolve();
        });
    };
    process.on('SIGTERM', handler);
    process.on('SIGINT', handler);
  });
}

/** A worker's exit code from its drain: 0 when everything it held was finished and stored (see EXIT). */
export function drainExitCode(r: Pick<DrainReport, 'unknown' | 'notStored' | 'unfinished'>): number {
  if (r.notStored + r.unfinished > 0) return EXIT.SHUTDOWN_RESULTS_NOT_STORED;
  if (r.unknown > 0) return EXIT.SHUTDOWN_CALLS_UNKNOWN;
  return EXIT.OK;
}
