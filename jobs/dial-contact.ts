import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { AriClient } from '../src/ari/client.js';
import type { AriEventStream } from '../src/ari/event-stream.js';
import { attemptCallParams } from '../src/campaign/attempt-call-params.js';
import { attemptNextStep } from '../src/campaign/attempt-next-step.js';
import { recordAttemptResult } from '../src/campaign/attempt-result.js';
import { Attempt } from '../src/campaign/attempt/attempt.js';
import { dialingOnly, holdBack, passGates, type Gate, type GateStop } from '../src/campaign/attempt/gate.js';
import {
  admissionGate,
  asteriskGate,
  breakerGate,
  campaignEndGate,
  cancelledGate,
  channelCapGate,
  destinationGate,
  endpointGate,
  inFlightGate,
  pacingGate,
  reRunGate,
  scheduleGate,
  spacingGate,
  stillWantedGate,
  trunkLeaseGate,
  windowGate,
} from '../src/campaign/attempt/gates/index.js';
import { cancelledRecord } from '../src/campaign/cancelled-record.js';
import type { OptOutInfo } from '../src/campaign/opt-out.js';
import type { AsteriskHealth } from '../src/campaign/health/asterisk-health.js';
import { judgeAttemptEnd } from '../src/campaign/health/attempt-health.js';
import type { CampaignBreakers } from '../src/campaign/health/campaign-breakers.js';
import { assertDialJobData, type DialJobData } from '../src/campaign/job-data.js';
import { ChannelLeases } from '../src/campaign/pacing/channel-leases.js';
import { HoldBacks } from '../src/campaign/pacing/hold-backs.js';
import { Pacer } from '../src/campaign/pacing/pacer.js';
import type { Semaphore } from '../src/campaign/pacing/semaphore.js';
import type { Trunk } from '../src/campaign/pacing/trunk.js';
import type { DestinationRules } from '../src/policy/destinations.js';
import { runCall } from '../src/dialer/call.js';
import { channelIdFor } from '../src/dialer/channel-id.js';
import type { CallDeps, CallObserver } from '../src/dialer/call-options.js';
import type { CallResult } from '../src/dialer/call-result.js';
import type { Logger } from '../src/log.js';
import type { AttemptRecord } from '../src/report/summarize.js';
import type { CampaignMeta, CampaignStore } from '../src/store/campaign-store.js';

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
  /** With lists in PostgreSQL: parks the next attempt there until due (see AttemptNextStepDeps). */
  parkRetry?: (next: DialJobData, delayMs: number) => Promise<boolean>;
  /** Hands a final result to the webhook queue, when the campaign has one. */
  enqueueWebhook: (rec: AttemptRecord) => Promise<void>;
  /** This worker's cap on channels in flight on its Asterisk. */
  channelCap: Semaphore;
  /** Aborted when the worker must hang up what is still in flight (shutdown grace over). */
  hangupAll: AbortSignal;
  /** Aborted when the worker stops (SIGTERM): jobs still waiting for an originate slot must not dial. */
  stopDialing?: AbortSignal;
  workerName: string;
  /** The config file's name of this worker's Asterisk (`default` for ARI_URL): where its calls' recordings are. */
  asterisk: string;
  log: Logger;
  observer?: CallObserver;
  /** A peer's witnessed end of a channel, for calls whose end our socket missed (see src/campaign/witness.ts). */
  witnessed?: CallDeps['witnessed'];
  /** Stores an opt-out pressed during the message (suppression list, webhook); resolves whether it was stored. */
  optOut?: (info: OptOutInfo) => Promise<boolean>;
  /** Carrier trunks (config file `trunks`): their cps and channel limits bind every campaign dialing through them. */
  trunks?: readonly Trunk[];
  /** Where calls may go (config `allowedDestinations`/`blockedDestinations`): checked again right before each call. */
  destinations?: DestinationRules;
  /** Where waits are noted for status and the dashboard. @defaultValue one on the store's Redis */
  holdBacks?: HoldBacks;
  /** Trunk channel leases. @defaultValue one on the store's Redis (leases lapse 30 s after a worker dies) */
  leases?: ChannelLeases;
  now?: () => number;
}

export interface DialJobReturn {
  channelId: string;
  disposition: string;
  final: boolean;
}

/**
 * One attempt for one contact: check the data, pass the gates, place the call with OUR attempt's channel id, store
 * the result once, then schedule the next attempt or deliver the final result. A job that runs again (stall, crash)
 * finds its stored result or adopts its live channel: it never dials twice.
 */
export const dialContact = (deps: DialJobDeps) => {
  const { store, health, breakers } = deps;
  const keys = store.keys;
  const holds = deps.holdBacks ?? new HoldBacks(store.redis, keys);
  const leases = deps.leases ?? new ChannelLeases(store.redis);
  const pacer = new Pacer(store.redis);
  // In order. A re-run following the live channel of a run that died passes the dialing-only gates by.
  const gates: readonly Gate[] = [
    cancelledGate,
    destinationGate({ destinations: deps.destinations }),
    scheduleGate({ latest: (id) => store.get(id), holds }),
    windowGate({ holds }),
    endpointGate({ trunks: deps.trunks ?? [] }),
    asteriskGate({ health, holds }),
    breakerGate({ breakers }),
    channelCapGate({ cap: deps.channelCap }),
    reRunGate,
    dialingOnly(trunkLeaseGate({ leases, keys, holds })),
    dialingOnly(pacingGate({ pacer, keys, holds })),
    dialingOnly(stillWantedGate({ campaign: deps.campaign })),
    inFlightGate({ store, workerName: deps.workerName }),
    dialingOnly(spacingGate({ pacer, keys })),
    dialingOnly(campaignEndGate),
    dialingOnly(admissionGate({ health, breakers })),
  ];

  return async (job: Job, token?: string): Promise<DialJobReturn> => {
    let data: DialJobData;
    try {
      data = assertDialJobData(job.data);
    } catch (err) {
      throw new UnrecoverableError((err as Error).message);
    }
    const meta = await deps.campaign(data.campaignId);
    const channelId = channelIdFor({ campaignId: data.campaignId, contactKey: data.number, attempt: data.attempt });
    const found = await store.attemptFound(data.campaignId, channelId);
    const a = new Attempt({
      data,
      meta,
      markFound: found.mark,
      jobId: job.id,
      log: deps.log,
      now: deps.now,
      hangupAll: deps.hangupAll,
      stopDialing: deps.stopDialing,
    });
    const stop = (outcome: GateStop) => stopAttempt(store, job, token, a, outcome);

    let rec = found.stored;
    if (!rec) {
      try {
        const stopped = await passGates(a, gates);
        if (stopped) return await stop(stopped);
        const result = await placeCall(deps, a);
        const end = a.dialing
          ? judgeAttemptEnd(deps, data.campaignId, result, {
              retry: data.attempt > 1,
              trial: a.admission === 'trial',
              endpoint: a.endpoint,
              refusals: data.refusals ?? 0,
            })
          : undefined;
        if (end?.action === 'send-again') {
          // Asterisk did not take it: no phone rang. Back to the queue as it was, to go out once it is back.
          await a.undo();
          if (end.countRefusal) await job.updateData({ ...data, refusals: (data.refusals ?? 0) + 1 });
          return await stop(holdBack(a, end.why, end.waitMs));
        }
        const held = end?.action === 'record' && end.held;
        rec = await recordAttemptResult(deps, data, result, held ? breakers.retryInMs(data.campaignId) : undefined);
        a.log.info({ disposition: rec.disposition, cause: rec.cause, final: rec.final }, 'attempt ended');
      } finally {
        await a.exit();
      }
    }

    // A run that did everything below already left only a marker (history in PostgreSQL keeps the record).
    if (!rec.settled) await attemptNextStep(deps, meta, data, rec, (deps.now ?? Date.now)());
    return { channelId: a.channelId, disposition: rec.disposition, final: rec.final };
  };
};

/** The call itself: the dialer's engine with the attempt's parameters, on the worker's event socket. */
async function placeCall(deps: DialJobDeps, a: Attempt): Promise<CallResult> {
  const { store, now } = deps;
  store.noteActivity(a.campaignId);
  const observer: CallObserver = {
    ...deps.observer,
    ringing: (info) => {
      deps.observer?.ringing?.(info);
      // For GET /api/calls, on calls placed over HTTP only: a list's calls keep their Redis work per attempt.
      if (a.data.tracked) void store.markRinging(a.campaignId, a.channelId).catch(() => undefined);
    },
    answered: (info) => {
      deps.observer?.answered?.(info);
      // For the dashboard's calls-in-flight table; losing it only delays the display until the result.
      void store.markAnswered(a.campaignId, a.channelId, new Date(a.now()).toISOString()).catch(() => undefined);
    },
  };
  return runCall(
    {
      ari: deps.ari,
      events: deps.events,
      log: a.log,
      observer,
      now,
      witnessed: deps.witnessed,
      ...(deps.optOut ? { optOut: () => deps.optOut!({ campaignId: a.campaignId, number: a.data.number, row: a.data.row, channelId: a.channelId }) } : {}),
    },
    { ...attemptCallParams(a.data, a.settings, a.channelId, a.endpoint, deps.asterisk), signal: deps.hangupAll, resume: a.previous !== undefined },
  );
}

/**
 * The job's side of a gate's stop: what a gate marked is undone, then a wait puts the job back in the delayed set (a
 * BullMQ move, not a failed attempt), a cancel records the number's final CANCELLED result, a bad row fails for good.
 */
async function stopAttempt(store: CampaignStore, job: Job, token: string | undefined, a: Attempt, outcome: GateStop): Promise<DialJobReturn> {
  await a.undo();
  if (outcome.kind === 'wait') {
    await job.moveToDelayed(a.now() + outcome.ms, token);
    throw new DelayedError();
  }
  if (outcome.as === 'failed') throw new UnrecoverableError(outcome.message);
  await store.recordFinalOnly(cancelledRecord(a.data, a.settings.endpoint, a.now(), outcome.message));
  return { channelId: a.channelId, disposition: 'CANCELLED', final: true };
}
