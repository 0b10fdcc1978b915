import type { AriEvent } from '../ari/types.generated.js';
import type { AmdOptions } from './amd/amd-options.js';
import { amdRoute, amdVerdictFromArgs, type AmdStatus, type AmdVerdict } from './amd/amd-verdict.js';
import { capValue } from './capture.js';
import {
  machineGreetingOver,
  messageDeadline,
  messageHangup,
  messageKey,
  messagePlaybackFinished,
  messagePlaybackStarted,
  messagePlayRefused,
  startMachineMessage,
  startMessage,
  type MessageAction,
  type MessageRun,
} from './message/message-flow.js';
import type { MessageOptions } from './message/message-options.js';
import { newNotice, noticeFailed, noticeFinished, noticePlaybackId, startNotice, type NoticeAction, type NoticeRun } from './recording/notice-flow.js';

export type CallPhase = 'originating' | 'ringing' | 'answered' | 'amd' | 'message' | 'continued' | 'ended';

/** What one call knows so far. Kept small: thousands are alive at once. */
export interface CallState {
  phase: CallPhase;
  /** ChannelStateChange said Up (or StasisStart showed the channel Up). */
  up: boolean;
  /** Between StasisStart and StasisEnd: the only time `continue` is accepted. */
  inStasis: boolean;
  /** The first `continue` (to the destination, or into AMD) was asked for. */
  continueSent: boolean;
  /** StasisStarts seen: 1 after answer, 2 when the AMD context sent the call back with its verdict. */
  stasisEntries: number;
  /** The entry that got its one action (`continue` or hangup); 0 for none yet. Never two actions for one entry. */
  actedOnEntry: number;
  ringingAt?: number;
  answeredAt?: number;
  dialstatus?: string;
  otherHalfCause?: number;
  /** Set when the call goes through AMD first (shared, read-only: one object per campaign or dial). */
  amd?: Readonly<Pick<AmdOptions, 'onMachine' | 'notSureAs'>>;
  /** When we asked for the `continue` into the AMD context. */
  amdStartedAt?: number;
  /** AMD's verdict, from the StasisStart args (or, for HANGUP, the AMDSTATUS/AMDCAUSE ChannelVarset events). */
  amdVerdict?: AmdVerdict;
  /** DTMF digits on the callee's channel from the answer on, in Stasis and in the dialplan alike. */
  keys: string;
  firstKeyAt?: number;
  /** Variables to capture (shared, read-only); their last values, once one is set. */
  capture?: ReadonlySet<string>;
  captured?: Record<string, string>;
  /** The message played in Stasis (shared, read-only), and this call's run of it once it started. */
  message?: Readonly<MessageOptions>;
  msg?: MessageRun;
  /** The recording notice (`--record-notice`), played in Stasis before the call goes on and recording starts. */
  notice?: NoticeRun;
}

/**
 * Where a `continue` sends the channel: the campaign's place, the AMD context, the machine's place, or the place a
 * key (or the end of the message) names.
 */
export type ContinueTarget = 'destination' | 'amd' | 'machine' | 'place';

export type CallAction =
  | { type: 'continue'; to: ContinueTarget; place?: { context: string; extension: string; priority: number } }
  | { type: 'hangup'; why: string }
  | { type: 'ended'; cause: number; causeTxt: string; techCause?: number }
  | Exclude<MessageAction, { type: 'continue' | 'hangup' }>
  | NoticeAction;

/** What a call is asked to do after the answer besides going on (shared between the calls of a campaign). */
export interface AfterAnswer {
  capture?: ReadonlySet<string>;
  message?: Readonly<MessageOptions>;
  /** The recording notice's media. */
  notice?: string;
}

export const initialCallState = (amd?: CallState['amd'], after?: AfterAnswer): CallState => ({
  phase: 'originating',
  up: false,
  inStasis: false,
  continueSent: false,
  stasisEntries: 0,
  actedOnEntry: 0,
  keys: '',
  ...(amd ? { amd } : {}),
  ...(after?.capture?.size ? { capture: after.capture } : {}),
  ...(after?.message ? { message: after.message } : {}),
  ...(after?.notice ? { notice: newNotice(after.notice) } : {}),
});

/**
 * The call's state table. Mutates `s` (no allocation per event on the hot path) and returns what to do.
 * Each Stasis entry gets exactly one action, when the channel is both Up and in Stasis, whichever event came first:
 * continue on Up alone races StasisStart and can get 409 "Channel not in Stasis application".
 * With AMD the first entry goes into the AMD context; the entry it comes back with (StasisStart args
 * `amd,STATUS,CAUSE`) goes to the destination, the machine's place, or is hung up. Any other re-entry is left alone.
 */
export function transition(s: CallState, ev: AriEvent, at: number, channelId: string): CallAction[] {
  if (s.phase === 'ended') return NONE;
  const own = ownChannel(ev, channelId);
  switch (ev.type) {
    case 'ChannelStateChange': {
      if (!own) return NONE;
      const state = ev.channel.state;
      if ((state === 'Ringing' || state === 'Ring') && s.ringingAt === undefined) {
        s.ringingAt = at;
        if (s.phase === 'originating') s.phase = 'ringing';
      } else if (state === 'Up') {
        markUp(s, at);
      }
      return maybeAct(s, at, channelId);
    }
    case 'StasisStart': {
      if (!own) return NONE;
      s.inStasis = true;
      s.stasisEntries += 1;
      if (ev.channel.state === 'Up') markUp(s, at);
      const verdict = s.amdStartedAt !== undefined ? amdVerdictFromArgs(ev.args) : undefined;
      if (verdict) s.amdVerdict = { ...verdict, ms: at - s.amdStartedAt! };
      return maybeAct(s, at, channelId);
    }
    case 'StasisEnd':
      if (own) s.inStasis = false;
      return NONE;
    case 'ChannelVarset':
      if (!own) return NONE;
      // A callee who hangs up during AMD never comes back to Stasis: AMDSTATUS=HANGUP is all we hear of it.
      if (s.amdStartedAt !== undefined && s.amdVerdict === undefined && ev.variable === 'AMDSTATUS' && ev.value === 'HANGUP') {
        s.amdVerdict = { status: 'HANGUP', cause: '', ms: at - s.amdStartedAt };
      }
      if (s.capture?.has(ev.variable)) (s.captured ??= {})[ev.variable] = capValue(String(ev.value ?? ''));
      return NONE;
    case 'ChannelDtmfReceived':
      if (!own || !s.up) return NONE;
      s.keys += ev.digit;
      s.firstKeyAt ??= at;
      return s.message ? fromMessage(s, messageKey(msgView(s), ev.digit, at)) : NONE;
    case 'PlaybackStarted':
      if (s.msg && ev.playback.target_uri === `channel:${channelId}`) messagePlaybackStarted(msgView(s), ev.playback.id, at);
      return NONE;
    case 'PlaybackFinished':
      if (s.notice?.state === 'playing' && ev.playback.id === noticePlaybackId(channelId))
        return afterNotice(s, noticeFinished(s.notice, ev.playback.state), at, channelId);
      if (!s.msg || ev.playback.target_uri !== `channel:${channelId}`) return NONE;
      return fromMessage(s, messagePlaybackFinished(msgView(s), ev.playback.id, ev.playback.state, at));
    case 'ChannelTalkingFinished':
      return own && s.msg ? fromMessage(s, machineGreetingOver(msgView(s), at)) : NONE;
    case 'ChannelHangupRequest':
      if (own && s.msg) messageHangup(msgView(s), at);
      return NONE;
    case 'Dial':
      if (ev.dialstatus) s.dialstatus = ev.dialstatus;
      return NONE;
    case 'ChannelDestroyed': {
      if (!own) {
        s.otherHalfCause = ev.cause;
        return NONE;
      }
      s.phase = 'ended';
      if (s.msg) messageHangup(msgView(s), at);
      const techCause = (ev as { tech_cause?: unknown }).tech_cause;
      return [{ type: 'ended', cause: ev.cause, causeTxt: ev.cause_txt, techCause: typeof techCause === 'number' ? techCause : undefined }];
    }
    default:
      return NONE;
  }
}

/** Applies what `GET /channels/{id}` showed (after a reconnect or on adoption). */
export function applySnapshot(s: CallState, state: string, at: number): CallAction[] {
  if (s.phase === 'ended') return NONE;
  if (state === 'Up') markUp(s, at);
  else if ((state === 'Ringing' || state === 'Ring') && s.ringingAt === undefined) s.ringingAt = at;
  return NONE;
}

/**
 * An Up channel we never continued, found waiting in Stasis by `GET /channels/{id}` (we were away when it answered,
 * or we adopt a dead worker's call): its first entry's action, as if StasisStart had just arrived.
 */
export function actOnFoundInStasis(s: CallState, at: number, channelId: string): CallAction[] {
  if (s.phase === 'ended' || !s.up || s.continueSent) return NONE;
  s.stasisEntries = Math.max(s.stasisEntries, 1);
  s.inStasis = true;
  return maybeAct(s, at, channelId);
}

/** The message's timer ran out (no key after the message, or a machine greeting that never ended). */
export function deadlinePassed(s: CallState, at: number): CallAction[] {
  return s.phase === 'ended' || !s.msg ? NONE : fromMessage(s, messageDeadline(msgView(s), at));
}

/** Asterisk refused to play one of the message's playbacks (its HTTP error, as `reason`). */
export function playRefused(s: CallState, playbackId: string, reason: string, away = false): CallAction[] {
  return s.phase === 'ended' || !s.msg ? NONE : fromMessage(s, messagePlayRefused(msgView(s), playbackId, reason, away));
}

/** Asterisk refused the notice, or it did not end within its bound: the call goes on, not recorded. */
export function noticeRefused(s: CallState, reason: string, at: number, channelId: string): CallAction[] {
  return s.phase === 'ended' || !s.notice ? NONE : afterNotice(s, noticeFailed(s.notice, reason), at, channelId);
}

/** The notice is over: what was waiting for it (the entry's one action) comes now. */
function afterNotice(s: CallState, over: NoticeAction[], at: number, channelId: string): CallAction[] {
  return over.length ? [...over, ...maybeAct(s, at, channelId)] : NONE;
}

const NONE: CallAction[] = [];

type WithMessage = CallState & { message: Readonly<MessageOptions> };
const msgView = (s: CallState): WithMessage => s as WithMessage;

/** The message's actions are the call's; its continue ends the message phase. */
function fromMessage(s: CallState, actions: MessageAction[]): CallAction[] {
  for (const a of actions) if (a.type === 'continue') s.phase = 'continued';
  return actions;
}

/** Instead of going on at once: the message for a person, the machine message for a machine. */
function toMessage(s: CallState, machine: boolean, channelId: string): CallAction[] | undefined {
  const o = s.message;
  if (!o) return undefined;
  if (machine && o.machineMessage?.length) {
    s.phase = 'message';
    return startMachineMessage(msgView(s), channelId);
  }
  if (machine || o.media.length === 0) return undefined;
  s.phase = 'message';
  return startMessage(msgView(s), channelId);
}
const TO_DESTINATION: CallAction[] = [{ type: 'continue', to: 'destination' }];
const TO_AMD: CallAction[] = [{ type: 'continue', to: 'amd' }];
const TO_MACHINE: CallAction[] = [{ type: 'continue', to: 'machine' }];

function markUp(s: CallState, at: number): void {
  s.up = true;
  s.answeredAt ??= at;
  if (s.phase === 'originating' || s.phase === 'ringing') s.phase = 'answered';
}

/**
 * The entry's one action. With a message, that action is the message's end (its continue or hangup): the message
 * runs in this entry, between StasisStart and that action.
 */
function maybeAct(s: CallState, at: number, channelId: string): CallAction[] {
  if (!s.up || !s.inStasis || s.actedOnEntry === s.stasisEntries || s.notice?.state === 'playing') return NONE;
  if (!s.continueSent) {
    // The notice first (but after AMD, which must hear the callee): the entry's action waits for its end.
    if (s.notice?.state === 'pending' && !s.amd) return startNotice(s.notice, channelId);
    s.actedOnEntry = s.stasisEntries;
    s.continueSent = true;
    if (s.amd) {
      s.amdStartedAt = at;
      s.phase = 'amd';
      return TO_AMD;
    }
    const msg = toMessage(s, false, channelId);
    if (msg) return msg;
    s.phase = 'continued';
    return TO_DESTINATION;
  }
  // Past the first entry only AMD's way back is ours to act on; anything else someone else's dialplan decided.
  if (s.phase !== 'amd' || !s.amd || !s.amdVerdict) return NONE;
  const route = amdRoute(s.amdVerdict.status, s.amd);
  // A machine that is hung up is told nothing; anyone the call goes on to hears the notice first.
  if (s.notice?.state === 'pending' && route !== 'hangup') return startNotice(s.notice, channelId);
  s.actedOnEntry = s.stasisEntries;
  const msg = toMessage(s, route !== 'destination', channelId);
  if (msg) return msg;
  s.phase = 'continued';
  return routeFor(s.amdVerdict.status, s.amd);
}

function routeFor(status: AmdStatus, amd: NonNullable<CallState['amd']>): CallAction[] {
  switch (amdRoute(status, amd)) {
    case 'destination':
      return TO_DESTINATION;
    case 'machine':
      return TO_MACHINE;
    case 'hangup':
      return [{ type: 'hangup', why: `answering machine (AMD ${status})` }];
  }
}

function ownChannel(ev: AriEvent, channelId: string): boolean {
  const ch = (ev as { channel?: { id?: string } }).channel;
  return ch?.id === channelId;
}
