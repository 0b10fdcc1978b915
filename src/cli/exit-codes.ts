import type { CallResult } from '../dialer/call-result.js';

/** Exit codes shared by every command: scripts branch on them. */
export const EXIT = {
  OK: 0,
  NOT_ANSWERED: 1,
  USAGE: 2,
  ERROR: 3,
  /**
   * `worker` stopped, but calls it could not hang up or follow (Asterisk unreachable) were recorded UNKNOWN
   * ("Asterisk unreachable during shutdown", with the last state seen).
   */
  SHUTDOWN_CALLS_UNKNOWN: 4,
  /**
   * `worker` stopped with results it could not store (Redis unreachable) or calls it left unfinished: their in-flight
   * marks in Redis let a live worker's takeover or the job's re-run settle them. The log says how many. `serve`: writes
   * still under way at the end of the grace (an upload being imported, contacts being added) were cut.
   */
  SHUTDOWN_RESULTS_NOT_STORED: 5,
  /** `worker` or `serve` did not finish stopping by shutdownGraceS + 10 s and exited anyway (the log says what hung). */
  SHUTDOWN_FORCED: 6,
} as const;

export function exitCodeFor(result: CallResult): number {
  if (result.status === 'error') return EXIT.ERROR;
  return result.answered ? EXIT.OK : EXIT.NOT_ANSWERED;
}
