import type { AriEvent } from '../ari/types.generated.js';

export type CallPhase = 'originating' | 'ringing' | 'answered' | 'continued' | 'ended';

/** What one call knows so far. Kept small: thousands are alive at once. */
export interface CallState {
  phase: CallPhase;
  /** ChannelStateChange said Up (or StasisStart showed the channel Up). */
  up: boolean;
  /** Between StasisStart and StasisEnd: the only time `continue` is accepted. */
  inStasis: boolean;
  continueSent: boolean;
  ringingAt?: number;
  answeredAt?: number;
  dialstatus?: string;
  otherHalfCause?: number;
}

export type CallAction = { type: 'continue' } | { type: 'ended'; cause: number; causeTxt: string; techCause?: number };

export const initialCallState = (): CallState => ({ phase: 'originating', up: false, inStasis: false, continueSent: false });

/**
 * The call's state table. Mutates `s` (no allocation per event on the hot path) and returns what to do.
 * `continue` is asked for exactly once, when the channel is both Up and in Stasis, whichever event came first:
 * continue on Up alone races StasisStart and can get 409 "Channel not in Stasis application".
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
      return maybeContinue(s);
    }
    case 'StasisStart': {
      if (!own) return NONE;
      s.inStasis = true;
      if (ev.channel.state === 'Up') markUp(s, at);
      return maybeContinue(s);
    }
    case 'StasisEnd':
      if (own) s.inStasis = false;
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

const NONE: CallAction[] = [];
const CONTINUE: CallAction[] = [{ type: 'continue' }];

function markUp(s: CallState, at: number): void {
  s.up = true;
  s.answeredAt ??= at;
  if (s.phase === 'originating' || s.phase === 'ringing') s.phase = 'answered';
}

function maybeContinue(s: CallState): CallAction[] {
  if (!s.up || !s.inStasis || s.continueSent) return NONE;
  s.continueSent = true;
  s.phase = 'continued';
  return CONTINUE;
}

function ownChannel(ev: AriEvent, channelId: string): boolean {
  const ch = (ev as { channel?: { id?: string } }).channel;
  return ch?.id === channelId;
}
