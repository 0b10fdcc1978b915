import { itemBoundMs, type MessageOptions, type NoPressAction, type PressAction } from './message-options.js';

/** How the human message ended (the result's `flow`). */
export type MessageFlow = 'pressed' | 'optout' | 'no_press' | 'hung_up_in_message' | 'not_played';

type Stage = 'playing' | 'press_wait' | 'optout_message' | 'machine_wait' | 'machine_message' | 'over';

/** One call's run of its message: allocated when the message starts, small (thousands live at once). */
export interface MessageRun {
  stage: Stage;
  /** The call's channel id: playback ids are `<channelId>-pb<seq>`. */
  readonly channelId: string;
  /** Index in the playlist (media × repeat) of what plays now. */
  item: number;
  /** Playbacks asked for so far (their ids are `<channelId>-pb<seq>`). */
  seq: number;
  /** The playback whose events count; a stopped or older one's are ignored. */
  playbackId?: string;
  /** Its media (the reason names it when its bound passes). */
  playingMedia?: string;
  /** PlaybackStarted of the current playback of the message. */
  playingSince?: number;
  heardMs: number;
  /** The playlist played to its end. */
  done: boolean;
  flow?: MessageFlow;
  /** Why the message was not played (Asterisk's answer or the playback's state). */
  reason?: string;
  optedOut: boolean;
  /** The callee's channel is hanging up: what follows changes nothing. */
  hungUp: boolean;
  machineAt?: number;
  machineMs?: number;
}

/** What the message asks of the call (a subset of the state table's actions). */
export type MessageAction =
  | { type: 'play'; playbackId: string; media: string }
  | { type: 'stopPlayback'; playbackId: string }
  | { type: 'talkDetect' }
  | { type: 'deadline'; ms: number }
  | { type: 'optout' }
  | { type: 'continue'; to: 'destination' | 'place'; place?: { context: string; extension: string; priority: number } }
  | { type: 'hangup'; why: string };

const NOTHING: MessageAction[] = [];

/** The view of the call the message needs: its shared options and its run. */
export interface MessageCall {
  message: Readonly<MessageOptions>;
  msg?: MessageRun;
}

const newRun = (stage: Stage, channelId: string): MessageRun => ({
  stage,
  channelId,
  item: 0,
  seq: 0,
  heardMs: 0,
  done: false,
  optedOut: false,
  hungUp: false,
});

/**
 * Plays one item, and arms the message's one timer with the item's bound: Asterisk never sends PlaybackFinished
 * for some media (a missing `recording:`), and the callee must not wait in silence for it.
 */
function play(c: MessageCall, media: string, out: MessageAction[] = []): MessageAction[] {
  const m = c.msg!;
  m.seq += 1;
  m.playbackId = `${m.channelId}-pb${m.seq}`;
  m.playingMedia = media;
  m.playingSince = undefined;
  out.push({ type: 'play', playbackId: m.playbackId, media }, { type: 'deadline', ms: itemBoundMs(media, c.message.itemMaxS) });
  return out;
}

const playlistLength = (o: MessageOptions): number => o.media.length * o.repeat;
const itemMedia = (o: MessageOptions, i: number): string => o.media[i % o.media.length]!;

/** The callee is a person (or AMD could not tell): play the message from its first item. */
export function startMessage(c: MessageCall, channelId: string): MessageAction[] {
  c.msg = newRun('playing', channelId);
  return play(c, itemMedia(c.message, 0));
}

/** A machine with a machine message: listen for the end of its greeting (TALK_DETECT), at most `beepWaitS`. */
export function startMachineMessage(c: MessageCall, channelId: string): MessageAction[] {
  c.msg = newRun('machine_wait', channelId);
  return [{ type: 'talkDetect' }, { type: 'deadline', ms: c.message.beepWaitS * 1000 }];
}

/** Stops what plays (counting what the callee heard of it) and forgets its id. */
function stopCurrent(m: MessageRun, at: number, out: MessageAction[]): void {
  if (m.playbackId === undefined) return;
  if (m.playingSince !== undefined) m.heardMs += at - m.playingSince;
  out.push({ type: 'stopPlayback', playbackId: m.playbackId });
  m.playbackId = undefined;
  m.playingSince = undefined;
}

function end(m: MessageRun, a: MessageAction): MessageAction[] {
  m.stage = 'over';
  return [a];
}

function noPress(c: MessageCall, a: NoPressAction): MessageAction[] {
  const m = c.msg!;
  if (a.do === 'destination') return end(m, { type: 'continue', to: 'destination' });
  if (a.do === 'continue') return end(m, { type: 'continue', to: 'place', place: a.place });
  return end(m, { type: 'hangup', why: m.flow === 'not_played' ? 'message not played' : 'no key pressed after the message' });
}

function onPressed(c: MessageCall, key: string, a: PressAction, at: number): MessageAction[] {
  const m = c.msg!;
  const out: MessageAction[] = [];
  stopCurrent(m, at, out);
  switch (a.do) {
    case 'replay':
      m.stage = 'playing';
      m.item = 0;
      return play(c, itemMedia(c.message, 0), out);
    case 'continue':
      m.flow = 'pressed';
      m.stage = 'over';
      out.push({ type: 'continue', to: 'place', place: a.place });
      return out;
    case 'hangup':
      m.flow = 'pressed';
      m.stage = 'over';
      out.push({ type: 'hangup', why: `key ${key}: hangup` });
      return out;
    case 'optout':
      m.flow = 'optout';
      m.optedOut = true;
      out.push({ type: 'optout' });
      if (c.message.optoutMessage) {
        m.stage = 'optout_message';
        play(c, c.message.optoutMessage, out);
      } else {
        m.stage = 'over';
        out.push({ type: 'hangup', why: `key ${key}: opted out` });
      }
      return out;
  }
}

/** A key on the callee's channel (already recorded in `keys`): barge-in when it is listed, while it can be. */
export function messageKey(c: MessageCall, digit: string, at: number): MessageAction[] {
  const m = c.msg;
  if (!m || m.hungUp || (m.stage !== 'playing' && m.stage !== 'press_wait')) return NOTHING;
  const a = c.message.press[digit];
  return a ? onPressed(c, digit, a, at) : NOTHING;
}

export function messagePlaybackStarted(c: MessageCall, playbackId: string, at: number): void {
  const m = c.msg;
  if (m && playbackId === m.playbackId) m.playingSince = at;
}

/** PlaybackFinished of our current playback: the next item, the wait for a key, or what the end asks. */
export function messagePlaybackFinished(c: MessageCall, playbackId: string, state: string, at: number): MessageAction[] {
  const m = c.msg;
  if (!m || playbackId !== m.playbackId) return NOTHING;
  const played = m.playingSince !== undefined ? at - m.playingSince : 0;
  m.playbackId = undefined;
  m.playingSince = undefined;
  if (m.hungUp) {
    if (m.stage === 'playing') m.heardMs += played;
    return NOTHING;
  }
  const failed = state !== 'done';
  switch (m.stage) {
    case 'playing': {
      m.heardMs += played;
      if (failed) return notPlayed(c, `PlaybackFinished state ${state} for ${itemMedia(c.message, m.item)}`);
      m.item += 1;
      if (m.item < playlistLength(c.message)) return play(c, itemMedia(c.message, m.item));
      m.done = true;
      if (Object.keys(c.message.press).length === 0) {
        m.flow = 'no_press';
        return noPress(c, c.message.noPress);
      }
      m.stage = 'press_wait';
      return [{ type: 'deadline', ms: c.message.pressWaitS * 1000 }];
    }
    case 'optout_message':
      return end(m, { type: 'hangup', why: 'opted out' });
    case 'machine_message': {
      const list = c.message.machineMessage ?? [];
      if (!failed && m.item + 1 < list.length) {
        m.item += 1;
        return play(c, list[m.item]!);
      }
      m.machineMs = at - (m.machineAt ?? at);
      return end(m, { type: 'hangup', why: failed ? `machine message not played (PlaybackFinished state ${state})` : 'machine message left' });
    }
    default:
      return NOTHING;
  }
}

function notPlayed(c: MessageCall, reason: string): MessageAction[] {
  const m = c.msg!;
  m.flow = 'not_played';
  m.reason = reason;
  return noPress(c, c.message.noPress);
}

/**
 * Asterisk refused a play: recorded, and the call follows `--no-press` (or ends, for a machine). `away` (404, 409):
 * the channel is gone or not in our app (another process continued it, e.g. before a takeover): nothing to do.
 */
export function messagePlayRefused(c: MessageCall, playbackId: string, reason: string, away = false): MessageAction[] {
  const m = c.msg;
  if (!m || playbackId !== m.playbackId || m.hungUp) return NOTHING;
  m.playbackId = undefined;
  if (away) {
    m.flow ??= 'not_played';
    m.reason ??= reason;
    m.stage = 'over';
    return NOTHING;
  }
  if (m.stage === 'playing') return notPlayed(c, reason);
  return end(m, { type: 'hangup', why: reason });
}

/** The message's one timer: an item past its bound, no key after the message, or a greeting that never ended. */
export function messageDeadline(c: MessageCall, at: number): MessageAction[] {
  const m = c.msg;
  if (!m || m.hungUp) return NOTHING;
  switch (m.stage) {
    case 'press_wait':
      m.flow = 'no_press';
      return noPress(c, c.message.noPress);
    case 'machine_wait':
      return machineGreetingOver(c, at);
    case 'playing':
    case 'optout_message':
    case 'machine_message':
      return m.playbackId === undefined ? NOTHING : itemOverdue(c, at);
    default:
      return NOTHING;
  }
}

/**
 * The current item's PlaybackFinished did not come within its bound: it is stopped (a 404 if Asterisk already forgot
 * it) and counts as not played, as a `failed` one does. What it played is not counted as heard: most likely nothing.
 */
function itemOverdue(c: MessageCall, at: number): MessageAction[] {
  const m = c.msg!;
  const media = m.playingMedia ?? '';
  const reason = `no PlaybackFinished for ${media} within ${itemBoundMs(media, c.message.itemMaxS) / 1000} s (Asterisk never ends a missing recording: or an unknown scheme)`;
  const out: MessageAction[] = [{ type: 'stopPlayback', playbackId: m.playbackId! }];
  m.playbackId = undefined;
  m.playingSince = undefined;
  if (m.stage === 'playing') {
    m.flow = 'not_played';
    m.reason = reason;
    out.push(...noPress(c, c.message.noPress));
    return out;
  }
  if (m.stage === 'machine_message') m.machineMs = at - (m.machineAt ?? at);
  m.stage = 'over';
  out.push({ type: 'hangup', why: m.optedOut ? `opted out; ${reason}` : `machine message not played (${reason})` });
  return out;
}

/** ChannelTalkingFinished while waiting for a machine's greeting to end: the beep has come, leave the message. */
export function machineGreetingOver(c: MessageCall, at: number): MessageAction[] {
  const m = c.msg;
  if (!m || m.stage !== 'machine_wait' || m.hungUp) return NOTHING;
  m.stage = 'machine_message';
  m.machineAt = at;
  m.item = 0;
  return play(c, (c.message.machineMessage ?? [])[0]!);
}

/** The callee's channel is being hung up: a playback or key from now on changes nothing. */
export function messageHangup(c: MessageCall, at: number): void {
  const m = c.msg;
  if (!m || m.hungUp) return;
  m.hungUp = true;
  if ((m.stage === 'playing' || m.stage === 'press_wait') && m.flow === undefined) m.flow = 'hung_up_in_message';
  if (m.stage === 'playing' && m.playingSince !== undefined) {
    m.heardMs += at - m.playingSince;
    m.playingSince = undefined;
  }
  if (m.stage === 'machine_message' && m.machineAt !== undefined) m.machineMs = at - m.machineAt;
}
