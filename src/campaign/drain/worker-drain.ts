import type { Worker } from 'bullmq';
import type { Logger } from '../../log.js';
import type { DrainTracker } from './drain-tracker.js';
import { settleWithin } from './within.js';

/** How a worker's stop went: what it could not finish, for the log and the exit code. */
export interface DrainReport {
  /** Calls that ended UNKNOWN during the drain: they could not be hung up or followed (Asterisk unreachable). */
  unknown: number;
  /** Calls that ended but whose result could not be stored (Redis unreachable); their in-flight marks stay. */
  notStored: number;
  /** Calls placed and still not ended when the drain gave up on them (a takeover or the job's re-run settles them). */
  unfinished: number;
  /** Jobs that had not placed their call yet: left to their lock, they go back to the queue (nothing was dialed). */
  notDialed: number;
  /** Webhook deliveries cut short: their jobs stay in the queue and are delivered again by another worker. */
  webhooksCut: number;
  /** Closing steps that did not end in time (the connection was dropped instead). */
  timedOut: string[];
  /** From the start of the stop to its end. */
  ms: number;
}

export interface DrainTimings {
  /** Calls in flight may go on this long before they are hung up. */
  graceMs: number;
  /** After the hang-up, how long a call may take to end (then it ends UNKNOWN): the calls' own hangupWaitMs. */
  hangupWaitMs: number;
  /** After that, how long results may take to be stored before the drain gives up on Redis. @defaultValue 2000 */
  storeWaitMs?: number;
  /** Each closing step (a connection, a socket) at most this long. @defaultValue 1000 */
  closeStepMs?: number;
  /** How often the drain says what it waits for. @defaultValue 2000 */
  logEveryMs?: number;
}

/** The parts of a CampaignWorker its drain stops, in order. */
export interface DrainParts {
  log: Logger;
  tracker: DrainTracker;
  /** Every BullMQ worker (dial and webhook queues) of every campaign served. */
  queueWorkers: () => Worker[];
  /** Aborted first: calls waiting for their originate slot go back to the queue. */
  stopDialing: AbortController;
  /** Aborted when the grace is over: calls in flight are hung up. */
  hangupAll: AbortController;
  /** Campaign discovery under way, if any. */
  syncing: () => Promise<void> | undefined;
  /**
   * What closes once no job runs (or the drain gave up on them), each bounded by closeStepMs, all at once; one that
   * only talks to Redis is skipped when Redis is gone.
   */
  closers: ReadonlyArray<readonly [name: string, close: () => Promise<unknown>, needs?: 'redis']>;
  /** Whether the worker's Redis connection is up now. */
  redisReady: () => boolean;
  /** Last: closes the Redis connections, dropping them when they do not close within `timeoutMs` (0: at once). */
  closeRedis: (timeoutMs: number) => Promise<boolean>;
}

/**
 * A worker's stop, bounded whatever is unreachable (Asterisk, Redis, PostgreSQL, a webhook receiver): no new calls;
 * calls in flight go on for the grace, then are hung up; a call that cannot be hung up or followed ends UNKNOWN
 * after `hangupWaitMs` (its own timer, see CallParams.hangupWaitMs); results get `storeWaitMs` to be stored; then
 * whatever still runs is left (its in-flight mark and its job's lock let a takeover or a re-run settle it) and the
 * connections close, each step at most `closeStepMs`. Worst case: grace + hangupWait + storeWait + 2 closing steps
 * (+ 1 when the queues do not pause within the grace).
 */
export async function drainWorker(p: DrainParts, t: DrainTimings): Promise<DrainReport> {
  const started = Date.now();
  const closeStepMs = t.closeStepMs ?? 1000;
  const timedOut: string[] = [];
  const step = async (name: string, work: Promise<unknown>, ms = closeStepMs): Promise<void> => {
    if (!(await settleWithin(work, ms))) timedOut.push(name);
  };
  const say = () => {
    const { calls, webhooks, jobs } = p.tracker;
    const waiting = p.tracker.resultsWaiting.length;
    const held = jobs - calls - waiting;
    const extra = [
      waiting ? `${count(waiting, 'result')} waiting to be stored` : '',
      held ? `${count(held, 'job')} not dialed, going back to the queue` : '',
    ].filter(Boolean);
    const msg = `draining: ${count(calls, 'call')} in flight, ${webhooks} webhook deliver${webhooks === 1 ? 'y' : 'ies'}`;
    p.log.info(
      { calls, webhooks, resultsWaiting: waiting, notDialed: held, elapsedMs: Date.now() - started },
      extra.length ? `${msg} (${extra.join(', ')})` : msg,
    );
  };
  p.tracker.startDraining();
  p.stopDialing.abort('shutdown');
  say();
  const ticker = setInterval(say, t.logEveryMs ?? 2000);
  try {
    // Stop fetching first, everywhere, so no new call starts while others drain (running jobs go on). A discovery
    // under way may still add a campaign's workers: paused once it ends.
    let workers = p.queueWorkers();
    const pause = (ws: Worker[]) => Promise.all(ws.map((w) => w.pause(true).catch(() => undefined)));
    const discovered = (p.syncing() ?? Promise.resolve()).then(() => {
      const late = p.queueWorkers().filter((w) => !workers.includes(w));
      workers = [...workers, ...late];
      return pause(late);
    });
    await step('pausing the queues', Promise.all([pause(workers), discovered]));
    if (!(await settleWithin(p.tracker.idle(), t.graceMs - (Date.now() - started)))) {
      p.log.info({ calls: p.tracker.calls, jobs: p.tracker.jobs }, 'grace over: hanging up the calls still in flight');
      p.hangupAll.abort('shutdown');
      // Each call ends within hangupWaitMs (UNKNOWN when Asterisk cannot be reached), then its result has storeWaitMs.
      await settleWithin(Promise.race([p.tracker.callsEnded(), p.tracker.idle()]), t.hangupWaitMs + 200);
      await settleWithin(p.tracker.idle(), t.storeWaitMs ?? 2000);
    }
    const waiting = p.tracker.resultsWaiting;
    for (const r of waiting) {
      // What the call was, so that nothing is silently dropped: its mark in Redis lets a takeover settle it later.
      p.log.error(
        { channelId: r.channel_id, disposition: r.disposition, cause: r.cause, reason: r.reason, endedAt: r.ended_at },
        'result not stored: Redis unreachable',
      );
    }
    const report: DrainReport = {
      unknown: p.tracker.unknown,
      notStored: waiting.length,
      unfinished: p.tracker.calls,
      notDialed: p.tracker.jobs - p.tracker.calls - waiting.length,
      webhooksCut: p.tracker.webhooks,
      timedOut,
      ms: 0,
    };
    if (report.notStored + report.unfinished > 0) {
      p.log.error(
        { notStored: report.notStored, unfinished: report.unfinished },
        `${report.notStored} results could not be stored and ${report.unfinished} calls were left unfinished: their in-flight marks let a live worker or a re-run settle them`,
      );
    }
    if (report.webhooksCut > 0) {
      p.log.warn(
        { webhooksCut: report.webhooksCut },
        `${report.webhooksCut} webhook deliver${report.webhooksCut === 1 ? 'y' : 'ies'} cut short (the receiver is slow or down): they stay in the webhook queue, delivered by a live worker once their lock lapses`,
      );
    }
    // Jobs that still run are left to their locks (another worker takes them back); a clean drain waits for nothing.
    const force = p.tracker.jobs + p.tracker.webhooks > 0;
    // Redis gone: drop its connections first, so every step that still waits on it fails at once instead of timing out.
    const redisGone = !p.redisReady();
    if (redisGone) await p.closeRedis(0);
    await Promise.all([
      step('closing the queues', Promise.all(p.queueWorkers().map((w) => w.close(force).catch(() => undefined)))),
      ...p.closers.filter(([, , needs]) => !(redisGone && needs === 'redis')).map(([name, close]) => step(name, close())),
    ]);
    if (!redisGone && !(await p.closeRedis(closeStepMs))) timedOut.push('redis');
    if (timedOut.length) p.log.warn({ steps: timedOut }, 'shutdown steps that did not end in time were cut');
    return { ...report, ms: Date.now() - started };
  } finally {
    clearInterval(ticker);
  }
}

const count = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;
