import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { AriClient } from '../src/ari/client.js';
import type { AriEventStream } from '../src/ari/event-stream.js';
import { formatCallingWindow, isInsideWindow, msUntilWindowOpens } from '../src/campaign/policy/calling-window.js';
import type { CampaignMeta, CampaignStore } from '../src/store/campaign-store.js';
import type { AsteriskHealth } from '../src/campaign/health/asterisk-health.js';
import { judgeAttemptEnd } from '../src/campaign/health/attempt-health.js';
import type { CampaignBreakers } from '../src/campaign/health/campaign-breakers.js';
import type { Admission } from '../src/campaign/health/circuit-breaker.js';
import { cancelledRecord } from '../src/campaign/cancelled-record.js';
import { attemptCallParams } from '../src/campaign/attempt-call-params.js';
import { attemptNextStep } from '../src/campaign/attempt-next-step.js';
import { recordAttemptResult } from '../src/campaign/attempt-result.js';
import { assertDialJobData, type DialJobData } from '../src/campaign/job-data.js';
import { ChannelLeases, type Lease } from '../src/campaign/pacing/channel-leases.js';
import { HoldBacks } from '../src/campaign/pacing/hold-backs.js';
import { Pacer } from '../src/campaign/pacing/pacer.js';
import { trunkFor, type Trunk } from '../src/campaign/pacing/trunk.js';
import { endedMessage, scheduleGate } from '../src/campaign/policy/schedule.js';
import type { Semaphore } from '../src/campaign/pacing/semaphore.js';
import { renderEndpoint } from '../src/campaign/settings.js';
import { runCall } from '../src/dialer/call.js';
import type { CallDeps, CallObserver } from '../src/dialer/call-options.js';
import { channelIdFor } from '../src/dialer/channel-id.js';
import type { Logger } from '../src/log.js';
import type { AttemptRecord } from '../src/report/summarize.js';

export interface DialJobDeps {
  ari: AriClient;
  /** The process's one event socket (its own Stasis app name). */
  events: AriEventStream;
  /** Whether this worker's Asterisk takes calls now (socket up, ARI answering). */
  health: AsteriskHealth;
  /** This worker's circuit breaker per campaign. */
  breakers: CampaignBreakers;
  store: CampaignStore;
  /** Campaign settings, cached by the worker (every job reads them). */
  campaign: (id: string) => Promise<CampaignMeta>;
  /** Adds the next attempt (a new job) to the campaign's queue. */
  enqueueRetry: (data: DialJobData, jobId: string, delayMs: number) => Promise<void>;
  /** Hands a final result to the webhook queue, when the campaign has one. */
  enqueueWebhook: (rec: AttemptRecord) => Promise<void>;
  /** This worker's cap on channels in flight on its Asterisk. */
  channelCap: Semaphore;
  /** Aborted when the worker must hang up what is still in flight (shutdown grace over). */
  hangupAll: AbortSignal;
  /** Aborted when the worker stops (SIGTERM): jobs still waiting for an originate slot must not dial. */
  stopDialing?: AbortSignal;
  workerName: string;
  log: Logger;
  observer?: CallObserver;
  /** A peer's witnessed end of a channel, for calls whose end our socket missed (see src/campaign/witness.ts). */
  witnessed?: CallDeps['witnessed'];
  /** Carrier trunks (config file `trunks`): their cps and channel limits bind every campaign dialing through them. */
  trunks?: readonly Trunk[];
  /** Where waits are noted for status and the dashboard. @defaultValue one on the store's Redis */
  holdBacks?: HoldBacks;
  /** Trunk channel leases. @defaultValue one on the store's Redis (leases lapse 30 s after a worker dies) */
  leases?: ChannelLeases;
  now?: () => number;
}

/**
 * A trunk's cps is the carrier's hard limit: its send window is this much wider than 1 s, so the few ms between
 * claiming a moment in Redis and the originate leaving do not put cps + 1 into a second (costs ~3 % at 20 cps).
 */
const TRUNK_SLACK_MS = 30;
/** Spread of the waits of attempts held back together, so they do not all come back in the same millisecond. */
const JITTER_MS = 250;

export interface DialJobReturn {
  channelId: string;
  disposition: string;
  final: boolean;
}

/**
 * One attempt for one contact: check the data, respect the calling window, place the call with OUR attempt's
 * channel id, store the result once, then schedule the next attempt or deliver the final result.
 * A job that runs again (stall, crash) finds its stored result or adopts its live channel: it never dials twice.
 */
export const dialContact = (deps: DialJobDeps) => {
  const pacer = new Pacer(deps.store.redis);
  const holds = deps.holdBacks ?? new HoldBacks(deps.store.redis, deps.store.keys);
  const leases = deps.leases ?? new ChannelLeases(deps.store.redis);
  const trunks = deps.trunks ?? [];
  return async (job: Job, token?: string): Promise<DialJobReturn> => {
    let data: DialJobData;
    try {
      data = assertDialJobData(job.data);
    } catch (err) {
      throw new UnrecoverableError((err as Error).message);
    }
    const now = deps.now ?? Date.now;
    const meta = await deps.campaign(data.campaignId);
    const s = meta.settings;
    const channelId = channelIdFor({ campaignId: data.campaignId, contactKey: data.number, attempt: data.attempt });
    const log = deps.log.child({ campaignId: data.campaignId, jobId: job.id, channelId });
    // Not now: back to the delayed set for `ms` (a BullMQ move, not a failed attempt).
    const defer = async (ms: number): Promise<never> => {
      await job.moveToDelayed(now() + ms, token);
      throw new DelayedError();
    };
    /** Not sent: back to the queue untouched, looked at again after `ms` (plus a little jitter). */
    const holdBack = async (why: string, ms: number): Promise<never> => {
      log.debug({ why, waitMs: ms }, 'attempt held back');
      return defer(Math.max(100, ms) + Math.floor(Math.random() * JITTER_MS));
    };
    const cancelled = async (message?: string): Promise<DialJobReturn> => {
      await deps.store.recordFinalOnly(cancelledRecord(data, s.endpoint, now(), message));
      return { channelId, disposition: 'CANCELLED', final: true };
    };

    let rec = await deps.store.attemptByChannel(data.campaignId, channelId);
    if (!rec) {
      if (meta.state === 'cancelled') return cancelled();
      let schedule = scheduleGate(s, now());
      // The cached settings may predate an edit that moved the start earlier (and woke these jobs): read them afresh
      // before putting the job away until the start.
      if (schedule.kind === 'before') schedule = scheduleGate((await deps.store.get(data.campaignId))?.settings ?? s, now());
      if (schedule.kind === 'ended') return cancelled(endedMessage(schedule.endAt, data.attempt > 1));
      if (schedule.kind === 'before') {
        holds.note(data.campaignId, { reason: 'schedule', detail: `starts at ${schedule.startAt}` }, now());
        log.debug({ waitMs: schedule.waitMs }, 'before the campaign start; waiting');
        // Exactly to the start: jobs of a campaign that waits are not looked at again and again meanwhile.
        await defer(schedule.waitMs);
      }
      if (s.window && !isInsideWindow(s.window, new Date(now()), data.timezone)) {
        const wait = msUntilWindowOpens(s.window, new Date(now()), data.timezone);
        holds.note(data.campaignId, { reason: 'window', detail: `outside the calling window ${formatCallingWindow(s.window)}${data.timezone ? ` (callee in ${data.timezone})` : ''}` }, now());
        log.info({ waitMs: wait }, 'outside the calling window; waiting');
        await defer(Math.max(wait, 1000));
      }
      let endpoint: string;
      try {
        endpoint = renderEndpoint(s.endpoint, data.number, data.vars ?? {});
      } catch (err) {
        throw new UnrecoverableError((err as Error).message);
      }
      // Asterisk restarting or unreachable: an originate now would fail, or ring a phone whose answer no socket of
      // ours would hear. The attempt goes back to the queue untouched (no attempt recorded, no retry spent).
      if (!deps.health.up) {
        holds.note(data.campaignId, { reason: 'asterisk', detail: `Asterisk down (${deps.health.reason})` }, now());
        await holdBack(`Asterisk down (${deps.health.reason})`, deps.health.retryInMs());
      }
      if (deps.breakers.state(data.campaignId) === 'open') await holdBack('circuit breaker open', deps.breakers.retryInMs(data.campaignId));
      const trunk = trunkFor(endpoint, trunks);
      const release = await deps.channelCap.acquire();
      let lease: Lease | undefined;
      const cleanups: Array<() => void> = [];
      let admission: Admission = 'go';
      try {
        // Marked before the originate, so a mark without a stored result means a run that died may have dialed.
        const previous = await deps.store.inflightCall(data.campaignId, channelId);
        if (previous) log.warn({ previousWorker: previous.worker, since: previous.since }, 'attempt re-run after its worker stopped: following it, not dialing again');
        else {
          // Waits for a channel or a slot also end at the campaign's end: a slot past it would only be given up.
          const waits = stopAtEnd(deps.stopDialing ?? deps.hangupAll, s.endAt ? Date.parse(s.endAt) - now() : undefined);
          cleanups.push(waits.dispose);
          const stop = waits.signal;
          // The trunk's channel first: held while this call waits for its slots, so the slots never outrun channels.
          if (trunk?.maxChannels !== undefined) {
            lease = await leases.acquire(deps.store.keys.trunkChannels(trunk.name), channelId, trunk.maxChannels, stop);
            if (!lease && scheduleGate(s, now()).kind === 'ended') return cancelled(endedMessage(s.endAt!, data.attempt > 1));
            if (!lease) await defer(500);
            else if (lease.waitedMs > 0) {
              holds.note(data.campaignId, { reason: 'trunk-channels', detail: `trunk ${trunk.name} at its ${trunk.maxChannels} channels`, waitMs: lease.waitedMs }, now());
            }
          }
          const waited = await pacer.wait(deps.store.keys.pacer(data.campaignId), s.cps, stop);
          if (waited > 1000 / s.cps) holds.note(data.campaignId, { reason: 'cps', detail: `its own ${s.cps} cps`, waitMs: waited }, now());
          if (trunk?.cps !== undefined) {
            const trunkWaited = await pacer.wait(deps.store.keys.trunkPacer(trunk.name), trunk.cps, stop);
            if (trunkWaited > 1000 / trunk.cps) {
              holds.note(data.campaignId, { reason: 'trunk-cps', detail: `trunk ${trunk.name} at ${trunk.cps} cps`, waitMs: trunkWaited }, now());
            }
          }
          // The slot may have been far ahead: a pause, cancel or the schedule's end meanwhile must still stop this call.
          const state = (await deps.campaign(data.campaignId)).state;
          if (state === 'cancelled') return cancelled();
          const late = scheduleGate(s, now());
          if (late.kind === 'ended') return cancelled(endedMessage(late.endAt, data.attempt > 1));
          if (state === 'paused' || deps.hangupAll.aborted || deps.stopDialing?.aborted) await defer(500);
        }
        await deps.store.markInflight(data.campaignId, {
          channelId,
          number: data.number,
          attempt: data.attempt,
          since: new Date(now()).toISOString(),
          worker: deps.workerName,
          state: 'dialing',
        });
        // Last step before the originate: at most cps originates in any second, whatever the timers did.
        if (!previous) {
          await pacer.space(deps.store.keys.pacer(data.campaignId), s.cps, deps.hangupAll);
          // The trunk's own window over every campaign on it: the guard that holds its cps per second.
          if (trunk?.cps !== undefined) await pacer.space(deps.store.keys.trunkPacer(trunk.name), trunk.cps, deps.hangupAll, TRUNK_SLACK_MS);
          // The spacing may have waited past the campaign's end: nothing is dialed after it.
          const gate = scheduleGate(s, now());
          if (gate.kind === 'ended') {
            await deps.store.clearInflight(data.campaignId, channelId);
            return cancelled(endedMessage(gate.endAt, data.attempt > 1));
          }
        }
        // After the last wait (slot, spacing, Redis round trips under load: 100+ ms), right before the originate:
        // Asterisk may have gone away or the breaker opened meanwhile. Nothing was sent, so this run leaves no mark.
        if (!previous) {
          admission = deps.health.up ? deps.breakers.admit(data.campaignId) : 'no';
          if (admission === 'no') {
            await deps.store.clearInflight(data.campaignId, channelId);
            await (deps.health.up
              ? holdBack('circuit breaker open', deps.breakers.retryInMs(data.campaignId))
              : holdBack(`Asterisk down (${deps.health.reason})`, deps.health.retryInMs()));
          }
        }
        void deps.store.publish({ type: 'call', id: data.campaignId, change: 'started' }).catch(() => undefined);
        const observer: CallObserver = {
          ...deps.observer,
          answered: (info) => {
            deps.observer?.answered?.(info);
            // For the dashboard's calls-in-flight table; losing it only delays the display until the result.
            void deps.store.markAnswered(data.campaignId, channelId, new Date(now()).toISOString()).catch(() => undefined);
          },
        };
        const result = await runCall(
          { ari: deps.ari, events: deps.events, log, observer, now: deps.now, witnessed: deps.witnessed },
          {
            ...attemptCallParams(data, s, channelId, endpoint),
            signal: deps.hangupAll,
            resume: previous !== undefined,
          },
        );
        let held = false;
        if (!previous) {
          const end = judgeAttemptEnd(deps, data.campaignId, result, { retry: data.attempt > 1, trial: admission === 'trial', endpoint, refusals: data.refusals ?? 0 });
          if (end.action === 'send-again') {
            // Asterisk did not take it: no phone rang. Back to the queue as it was, to go out once it is back.
            await deps.store.clearInflight(data.campaignId, channelId);
            if (end.countRefusal) await job.updateData({ ...data, refusals: (data.refusals ?? 0) + 1 });
            await holdBack(end.why, end.waitMs);
          } else held = end.held;
        }
        rec = await recordAttemptResult(deps, data, result, held ? deps.breakers.retryInMs(data.campaignId) : undefined);
        log.info({ disposition: rec.disposition, cause: rec.cause, final: rec.final }, 'attempt ended');
      } finally {
        for (const c of cleanups) c();
        await lease?.release().catch((err: Error) => log.warn({ err: err.message }, 'trunk channel lease not released; it lapses by itself'));
        release();
      }
    }

    // A run that did everything below already left only a marker (history in PostgreSQL keeps the record).
    if (rec.settled) return { channelId, disposition: rec.disposition, final: rec.final };
    await attemptNextStep(deps, meta, data, rec, now());
    return { channelId, disposition: rec.disposition, final: rec.final };
  };
};

/** Longest delay setTimeout keeps (about 24.8 days); a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A signal that aborts with `base` or `ms` from now (when given and within a timer's reach). One timer and one
 * listener per call, both removed by `dispose`: `base` lives as long as the worker.
 */
function stopAtEnd(base: AbortSignal, ms: number | undefined): { signal: AbortSignal; dispose: () => void } {
  if (ms === undefined || ms > MAX_TIMER_MS) return { signal: base, dispose: () => undefined };
  const ctl = new AbortController();
  const onAbort = () => ctl.abort();
  const timer = setTimeout(onAbort, Math.max(0, ms));
  base.addEventListener('abort', onAbort, { once: true });
  if (base.aborted) ctl.abort();
  return {
    signal: ctl.signal,
    dispose: () => {
      clearTimeout(timer);
      base.removeEventListener('abort', onAbort);
    },
  };
}
