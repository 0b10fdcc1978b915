import { settleWithin } from '../campaign/drain/within.js';
import type { Dashboard } from '../dashboard/server.js';
import type { Logger } from '../log.js';
import { EXIT } from './exit-codes.js';

/** The parts of `serve` its stop ends, in order. */
export interface ServeParts {
  log: Logger;
  dash: Dashboard;
  /** Stopped at once, beside the HTTP drain, each bounded: neither may hold the exit (the outbox keeps the rest). */
  sideStops: ReadonlyArray<readonly [name: string, stop: () => Promise<unknown>]>;
  /** Closed once the requests are drained, all at once, each bounded; one that only talks to Redis is skipped when Redis is gone. */
  closers: ReadonlyArray<readonly [name: string, close: () => Promise<unknown>, needs?: 'redis']>;
  redisReady: () => boolean;
  /** Last (first when Redis is gone, so that what waits on it fails at once): drops the Redis connection. */
  dropRedis: () => void;
}

export interface ServeStopTimings {
  /** Requests under way (an upload being imported) may go on this long. */
  graceMs: number;
  /** Each stop or closing step at most this long. @defaultValue 1000 */
  stepMs?: number;
  /** How often the stop says what it waits for. @defaultValue 2000 */
  logEveryMs?: number;
}

/** How `serve`'s stop went, for the log and the exit code. */
export interface ServeStopReport {
  /** Requests cut at the end of the grace, and how many of them were writes (possibly left unfinished). */
  requestsCut: number;
  writesCut: number;
  /** Steps that did not end in time (left running; the process exits without them). */
  timedOut: string[];
  ms: number;
  exitCode: number;
}

/**
 * `serve`'s stop, bounded whatever is unreachable (Redis, PostgreSQL): no new connection; the requests under way get
 * the grace, then are cut; the archiver and the retention sweeper stop beside it without holding the exit; then
 * every connection closes, each step at most `stepMs`. Worst case: grace + 2 steps. Exit code as a worker's: 0 clean;
 * EXIT.SHUTDOWN_RESULTS_NOT_STORED when writes (an import, contacts being added) were cut unfinished.
 */
export async function stopServe(p: ServeParts, t: ServeStopTimings): Promise<ServeStopReport> {
  const started = Date.now();
  const stepMs = t.stepMs ?? 1000;
  const timedOut: string[] = [];
  const step = async (name: string, work: () => Promise<unknown>): Promise<void> => {
    if (!(await settleWithin(Promise.resolve().then(work), stepMs))) timedOut.push(name);
  };
  const say = () => {
    const { requests, writes } = p.dash.inFlight();
    p.log.info(
      { requests, writes, elapsedMs: Date.now() - started },
      `draining: ${requests} request${requests === 1 ? '' : 's'} in flight${writes ? ` (${writes} writing)` : ''}`,
    );
  };
  say();
  const ticker = setInterval(say, t.logEveryMs ?? 2000);
  try {
    const sides = Promise.all(p.sideStops.map(([name, stop]) => step(name, stop)));
    const drained = await p.dash.drain(t.graceMs);
    if (drained.cut) p.log.warn({ cut: drained.cut, writesCut: drained.writesCut }, `grace over: ${drained.cut} requests cut (${drained.writesCut} writing)`);
    await sides;
    const redisGone = !p.redisReady();
    if (redisGone) p.dropRedis();
    await Promise.all([
      step('dashboard', () => p.dash.close()),
      ...p.closers.filter(([, , needs]) => !(redisGone && needs === 'redis')).map(([name, close]) => step(name, close)),
    ]);
    if (!redisGone) p.dropRedis();
    if (timedOut.length)
      p.log.warn(
        { steps: timedOut },
        'shutdown steps that did not end in time were cut (PostgreSQL or Redis unreachable): the outbox keeps what the archiver did not write',
      );
    const exitCode = drained.writesCut > 0 ? EXIT.SHUTDOWN_RESULTS_NOT_STORED : EXIT.OK;
    return { requestsCut: drained.cut, writesCut: drained.writesCut, timedOut, ms: Date.now() - started, exitCode };
  } finally {
    clearInterval(ticker);
  }
}
