import { AriUnreachableError } from '../ari/errors.js';
import { DialerError } from '../errors.js';
import type { CallResult, Disposition, LastKnownState } from './call-result.js';
import { causeMessage, decideOutcome } from './outcome.js';
import { causeText } from './q850.js';
import type { CallState } from './transitions.js';
import type { AriEventStream } from '../ari/event-stream.js';
import type { WitnessedEnd } from './call-options.js';
import { afterAnswerFields, type OptOutNote } from './message/message-result.js';

/** How a call ended, before the fields every result carries (times, ids, AMD) are added by `assembleResult`. */
export type CallEnd = Pick<CallResult, 'status' | 'cause' | 'cause_txt' | 'message' | 'disposition'> & Partial<CallResult>;

/** ChannelDestroyed (ours or a witness's): the outcome rules of outcome.ts on what the call showed. */
export function endFromCause(s: CallState, cancelled: boolean, cause: number, causeTxt: string, techCause: number | undefined): CallEnd {
  const o = decideOutcome({
    cause,
    answered: s.up,
    dialstatus: s.dialstatus,
    otherHalfCause: s.otherHalfCause,
    rang: s.ringingAt !== undefined,
    cancelled,
  });
  const text = o.cause === cause && causeTxt ? causeTxt : o.cause_txt;
  return {
    status: 'success',
    cause: o.cause,
    cause_txt: text,
    message: causeMessage(o.cause, text),
    disposition: o.disposition,
    ...(techCause !== undefined ? { tech_cause: techCause } : {}),
    ...(o.note ? { reason: o.note } : {}),
  };
}

/**
 * Answered while the Stasis app it was originated into had no socket: Stasis() failed (res/res_stasis.c
 * stasis_app_exec, "not active"), and an originated channel is hung up when its application returns (main/pbx.c
 * pbx_outgoing_exec). The callee heard silence; our side cut the call, so it is not the callee's answer.
 */
export function endStasisFailed(cause: number, causeTxt: string, seenBy: string): CallEnd {
  return {
    status: 'success',
    cause,
    cause_txt: causeTxt || causeText(cause),
    message: causeMessage(cause, causeTxt || causeText(cause)),
    disposition: 'INTERRUPTED',
    reason: `answered while the Stasis app of its worker had no socket: Asterisk hung the callee up (seen by ${seenBy})`,
  };
}

/** A too-early cause-0 end followed by Asterisk going away (see SettlingCall.awaitShutdownEvidence). */
export function endInterrupted(cause: number, causeTxt: string, techCause: number | undefined, ringS: number, timeoutS: number): CallEnd {
  return {
    status: 'success',
    cause,
    cause_txt: causeTxt || causeText(cause),
    message: `interrupted: Asterisk went away (cause ${cause}, ${ringS} s of ringing of ${timeoutS} s)`,
    disposition: 'INTERRUPTED',
    ...(techCause !== undefined ? { tech_cause: techCause } : {}),
    reason: `cut by Asterisk going away after ${ringS} s of ringing (timeout ${timeoutS} s): cause ${cause} and no answer from the callee, then the ARI socket closed`,
  };
}

/** An end we decided without a ChannelDestroyed (cancelled before dialing, channel gone, unreachable). */
export function endWithout(disposition: Disposition, reason: string, status: CallResult['status'], lastState?: LastKnownState): CallEnd {
  return { status, cause: 0, cause_txt: causeText(0), message: reason, disposition, reason, ...(lastState ? { last_state: lastState } : {}) };
}

/**
 * The channel is gone and its ChannelDestroyed never reached us (nor a witness). A gap in our socket during the call
 * means we LOST SIGHT of it, which is not "it failed": UNKNOWN with the last state we saw (Asterisk hangs up a call
 * answered while its app has no socket, so a call last seen ringing may have been answered in that gap; see
 * res/res_stasis.c stasis_app_exec).
 */
export function endLostSight(s: CallState, cancelled: boolean, gapMs: number | undefined, why: string): CallEnd {
  const last = lastState(s);
  const disposition: Disposition = s.up ? 'ANSWERED' : cancelled ? 'CANCELLED' : gapMs !== undefined ? 'UNKNOWN' : 'FAILED';
  const reason =
    disposition === 'UNKNOWN'
      ? `lost sight of the call: its channel ended while the ARI event socket was down (${gapMs} ms gap); last seen ${last}, so it may have been answered then and hung up by Asterisk (${why})`
      : `channel gone without a ChannelDestroyed event (${why})`;
  return endWithout(disposition, reason, 'error', last);
}

export function lastState(s: CallState): LastKnownState {
  return s.up ? 'answered' : s.ringingAt !== undefined ? 'ringing' : 'dialing';
}

/** A ring this much shorter than the originate timeout did not reach the timeout. */
const EARLY_END_MARGIN_MS = 1_000;

/**
 * Cause 0, never answered, no callee signal (no Dial status but NOANSWER), and ended well before the originate
 * timeout: what a callee never produces, and exactly what an Asterisk shutdown leaves behind. (The caller rules out
 * calls we cancelled or hung up ourselves.)
 */
export function endedTooEarlyToTell(s: CallState, cause: number, ringMs: number, timeoutS: number): boolean {
  if (cause !== 0 || s.up) return false;
  if (s.dialstatus !== undefined && s.dialstatus !== 'NOANSWER') return false;
  return ringMs < timeoutS * 1000 - EARLY_END_MARGIN_MS;
}

/** `neverPlaced`: Asterisk certainly did not take our originate (see originateNeverTaken). */
export function endFromError(err: unknown, cancelled: boolean, neverPlaced = false): CallEnd {
  const e = err as { ariMessage?: string; status?: number; message?: string };
  const message = e.ariMessage ?? e.message ?? String(err);
  return {
    status: 'error',
    cause: 0,
    cause_txt: causeText(0),
    message,
    disposition: cancelled ? 'CANCELLED' : 'ERROR',
    ...(typeof e.status === 'number' ? { http_status: e.status } : {}),
    ...(err instanceof DialerError ? { error_code: err.code } : {}),
    ...(neverPlaced ? { placed: false as const } : {}),
    reason: (err as Error).message ?? message,
  };
}

/**
 * Asterisk answered the originate with an error (any HTTP status: no channel is created then), or no connection was
 * ever made. A reset or a timeout after the request went out is not this: the call may exist.
 */
export function originateNeverTaken(err: unknown): boolean {
  if (err instanceof AriUnreachableError) return !err.mayHaveArrived;
  return err instanceof DialerError && (err.code === 'ARI_HTTP' || err.code === 'ARI_AUTH' || err.code === 'ARI_NOT_ARI');
}

/** What a peer's witness saw goes into our state, as our own events would have put it. */
export function applyWitnessed(s: CallState, seen: WitnessedEnd): void {
  s.ringingAt ??= seen.ringingAt;
  if (seen.answeredAt !== undefined && !s.up) {
    s.up = true;
    s.answeredAt = seen.answeredAt;
  }
  s.dialstatus ??= seen.dialstatus;
  s.otherHalfCause ??= seen.otherHalfCause;
}

/** How long the event socket was down since `from` (the call's start), if it was. */
export function gapSince(events: Pick<AriEventStream, 'downSinceMs' | 'lastGap'>, from: number, now: number): number | undefined {
  const down = events.downSinceMs;
  if (down !== undefined) return now - Math.max(down, from);
  const gap = events.lastGap;
  return gap && gap.to >= from ? gap.to - gap.from : undefined;
}

/** What `assembleResult` needs besides the call's state. */
export interface ResultFrame {
  channelId: string;
  endpoint: string;
  callerId: string;
  createdAt: number;
  endedAt: number;
  continued: boolean;
  /** The AMD context named in the options, for the "no verdict" hint. */
  amdContext: string | undefined;
  source: CallResult['source'];
  /** How an opt-out was stored, when there was one. */
  optOut: OptOutNote;
}

/** The one CallResult: the end plus what every result carries. */
export function assembleResult(s: CallState, end: CallEnd, f: ResultFrame): CallResult {
  const answeredAt = s.answeredAt;
  const ringFrom = s.ringingAt;
  return {
    ...end,
    answered: s.up,
    ...(s.dialstatus ? { dialstatus: s.dialstatus } : {}),
    channel_id: f.channelId,
    endpoint: f.endpoint,
    callerid: f.callerId,
    created_at: iso(f.createdAt),
    answered_at: answeredAt !== undefined ? iso(answeredAt) : null,
    ended_at: iso(f.endedAt),
    ring_s: ringFrom !== undefined ? secs((answeredAt ?? f.endedAt) - ringFrom) : 0,
    talk_s: answeredAt !== undefined ? secs(f.endedAt - answeredAt) : 0,
    duration: secs(f.endedAt - f.createdAt),
    continued: f.continued,
    ...amdFields(s, f.amdContext, end.reason),
    ...afterAnswerFields(s, f.optOut),
    ...(f.source ? { source: f.source } : {}),
  };
}

/** AMD's verdict on the result; a call sent into AMD that never came back says why that usually happens. */
function amdFields(s: CallState, amdContext: string | undefined, reason: string | undefined): Partial<CallResult> {
  const v = s.amdVerdict;
  if (v) return { amd_status: v.status, amd_cause: v.cause, amd_ms: v.ms };
  if (s.amdStartedAt === undefined || reason !== undefined) return {};
  return {
    reason: `no AMD verdict: the call ended in the AMD context "${amdContext ?? ''}" (is that context in the dialplan and app_amd loaded? see docs/amd-and-messages.md, "Answering machine detection")`,
  };
}

export const iso = (ms: number): string => new Date(ms).toISOString();
export const secs = (ms: number): number => Math.round(Math.max(0, ms)) / 1000;
