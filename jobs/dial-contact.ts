import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { AriClient } from '../src/ari/client.js';
import type { AriEventStream } from '../src/ari/event-stream.js';
import { isInsideWindow, msUntilWindowOpens } from '../src/campaign/calling-window.js';
import type { CampaignMeta, CampaignStore } from '../src/campaign/campaign-store.js';
import { cancelledRecord } from '../src/campaign/cancelled-record.js';
import { recordAttemptResult } from '../src/campaign/attempt-result.js';
import { assertDialJobData, dialJobId, type DialJobData } from '../src/campaign/job-data.js';
import { Pacer } from '../src/campaign/pacer.js';
import type { Semaphore } from '../src/campaign/semaphore.js';
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
  now?: () => number;
}

/** How long an attempt waits when the ARI event socket is down before it looks again. */
const SOCKET_DOWN_DEFER_MS = 1000;

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
    const cancelled = async (): Promise<DialJobReturn> => {
      await deps.store.recordFinalOnly(cancelledRecord(data, s.endpoint, now()));
      return { channelId, disposition: 'CANCELLED', final: true };
    };

    let rec = await deps.store.attemptByChannel(data.campaignId, channelId);
    if (!rec) {
      if (meta.state === 'cancelled') return cancelled();
      if (s.window && !isInsideWindow(s.window, new Date(now()), data.timezone)) {
        const wait = msUntilWindowOpens(s.window, new Date(now()), data.timezone);
        log.info({ waitMs: wait }, 'outside the calling window; waiting');
        await defer(Math.max(wait, 1000));
      }
      let endpoint: string;
      try {
        endpoint = renderEndpoint(s.endpoint, data.number, data.vars ?? {});
      } catch (err) {
        throw new UnrecoverableError((err as Error).message);
      }
      if (!deps.events.connected) {
        // Asterisk is restarting or unreachable: an originate now would fail (and burn the number as ERROR), or
        // ring a phone whose answer no socket of ours would hear. Wait for the socket instead.
        log.debug('ARI event socket down; attempt deferred');
        await defer(SOCKET_DOWN_DEFER_MS);
      }
      const release = await deps.channelCap.acquire();
      try {
        // Marked before the originate, so a mark without a stored result means a run that died may have dialed.
        const previous = await deps.store.inflightCall(data.campaignId, channelId);
        if (previous) log.warn({ previousWorker: previous.worker, since: previous.since }, 'attempt re-run after its worker stopped: following it, not dialing again');
        else {
          await pacer.wait(deps.store.keys.pacer(data.campaignId), s.cps, deps.stopDialing ?? deps.hangupAll);
          // The slot may have been far ahead: a pause or cancel meanwhile must still stop this call.
          const state = (await deps.campaign(data.campaignId)).state;
          if (state === 'cancelled') return cancelled();
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
        if (!previous) await pacer.space(deps.store.keys.pacer(data.campaignId), s.cps, deps.hangupAll);
        // After the last wait (slot, spacing, Redis round trips under load: 100+ ms), right before the originate:
        // the socket may have dropped meanwhile (Asterisk restarting). Nothing was sent, so this run leaves no mark.
        if (!deps.events.connected) {
          if (!previous) await deps.store.clearInflight(data.campaignId, channelId);
          log.debug('ARI event socket down; attempt deferred');
          await defer(SOCKET_DOWN_DEFER_MS);
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
            channelId,
            endpoint,
            callerId: data.callerId ?? '',
            context: data.context ?? s.context,
            extension: data.extension ?? s.extension,
            priority: data.priority ?? s.priority,
            timeoutS: data.timeoutS ?? s.timeoutS,
            maxCallS: s.maxCallS,
            variables: data.vars,
            signal: deps.hangupAll,
            resume: previous !== undefined,
          },
        );
        rec = await recordAttemptResult(deps, data, result);
        log.info({ disposition: rec.disposition, cause: rec.cause, final: rec.final }, 'attempt ended');
      } finally {
        release();
      }
    }

    // From here on every step is idempotent, so a re-run after a crash completes what was left undone.
    if (!rec.final) {
      const tries = { ...(data.tries ?? {}), [rec.disposition]: (data.tries?.[rec.disposition] ?? 0) + 1 };
      const next: DialJobData = { ...data, attempt: data.attempt + 1, tries };
      const delayMs = (rec.retry_in_s ?? 0) * 1000;
      await deps.enqueueRetry(next, dialJobId(data.campaignId, data.number, next.attempt), delayMs);
    } else {
      await deps.enqueueWebhook(rec);
    }
    await deps.store.publish({ type: 'attempt', id: data.campaignId, disposition: rec.disposition, final: rec.final });
    return { channelId, disposition: rec.disposition, final: rec.final };
  };
};
