/**
 * Builders for the ARI events the simulator sends. Key order follows the recorded traces (Asterisk builds some blobs
 * before adding `type`, so ChannelVarset and ChannelHangupRequest start with their payload); `asterisk_id` and
 * `application` are appended by the event bus, last, as Asterisk appends them.
 */
import { causeText } from './causes.js';
import { asteriskTimestamp, type SimChannel } from './channel-model.js';
import type { AriEventBody } from './event-bus.js';

export function channelCallerId(ch: SimChannel): AriEventBody {
  return {
    type: 'ChannelCallerId',
    timestamp: asteriskTimestamp(),
    caller_presentation: 0,
    caller_presentation_txt: 'Presentation Allowed, Not Screened',
    channel: ch.toJSON(),
  };
}

export function channelConnectedLine(ch: SimChannel): AriEventBody {
  return { type: 'ChannelConnectedLine', timestamp: asteriskTimestamp(), channel: ch.toJSON() };
}

/** Dial progress of an originate: there is no caller channel, the dialled channel is the `peer`. */
export function dial(peer: SimChannel, dialstatus: string, dialstring: string): AriEventBody {
  return { type: 'Dial', timestamp: asteriskTimestamp(), dialstatus, forward: '', dialstring, peer: peer.toJSON() };
}

/** Call after moving the channel's dialplan pointer: the event repeats the app in its own fields. */
export function channelDialplan(ch: SimChannel): AriEventBody {
  return {
    type: 'ChannelDialplan',
    timestamp: asteriskTimestamp(),
    dialplan_app: ch.dialplan.app_name,
    dialplan_app_data: ch.dialplan.app_data,
    channel: ch.toJSON(),
  };
}

export function channelStateChange(ch: SimChannel): AriEventBody {
  return { type: 'ChannelStateChange', timestamp: asteriskTimestamp(), channel: ch.toJSON() };
}

export function channelVarset(ch: SimChannel, variable: string, value: string): AriEventBody {
  return { variable, value, type: 'ChannelVarset', timestamp: asteriskTimestamp(), channel: ch.toJSON() };
}

export function stasisStart(ch: SimChannel, args: readonly string[]): AriEventBody {
  return { type: 'StasisStart', timestamp: asteriskTimestamp(), args: [...args], channel: ch.toJSON() };
}

export function stasisEnd(ch: SimChannel): AriEventBody {
  return { type: 'StasisEnd', timestamp: asteriskTimestamp(), channel: ch.toJSON() };
}

/**
 * A queued hangup carries the Q.850 cause; a soft hangup (`soft: true`) carries a soft-hangup flag in `cause`
 * instead (see SOFTHANGUP).
 */
export function channelHangupRequest(ch: SimChannel, cause: number, soft = false): AriEventBody {
  const head: Record<string, unknown> = soft ? { cause, soft: true } : { cause };
  return { ...head, type: 'ChannelHangupRequest', timestamp: asteriskTimestamp(), channel: ch.toJSON() };
}

/** A key's DTMF end frame on the channel (main/channel.c). */
export function channelDtmfReceived(ch: SimChannel, digit: string, durationMs: number): AriEventBody {
  return { type: 'ChannelDtmfReceived', timestamp: asteriskTimestamp(), digit, duration_ms: durationMs, channel: ch.toJSON() };
}

export function channelTalkingStarted(ch: SimChannel): AriEventBody {
  return { type: 'ChannelTalkingStarted', timestamp: asteriskTimestamp(), channel: ch.toJSON() };
}

/** `duration`: ms of talking (func_talkdetect.c: the silence that ended it not counted). */
export function channelTalkingFinished(ch: SimChannel, duration: number): AriEventBody {
  return { duration, type: 'ChannelTalkingFinished', timestamp: asteriskTimestamp(), channel: ch.toJSON() };
}

export function channelDestroyed(ch: SimChannel, cause: number): AriEventBody {
  return {
    type: 'ChannelDestroyed',
    timestamp: asteriskTimestamp(),
    cause,
    cause_txt: causeText(cause),
    channel: ch.toJSON(),
  };
}

/**
 * What chan_sip sets on an answered channel as it hangs up (RTP statistics). Values are the idle-RTP strings a lab
 * call produced; nobody should parse them, but a client must not choke on a burst of ChannelVarset at hangup.
 */
export const RTP_QOS_VARS: ReadonlyArray<readonly [string, string]> = [
  ['RTPAUDIOQOS', 'ssrc=15336516;themssrc=0;lp=0;rxjitter=0.000000;rxcount=0;txjitter=0.000000;txcount=0;rlp=0;rtt=0.000000;rxmes=0.000000;txmes=0.000000'],
  [
    'RTPAUDIOQOSJITTER',
    'minrxjitter=000.000000;maxrxjitter=000.000000;avgrxjitter=000.000000;stdevrxjitter=000.000000;mintxjitter=000.000000;maxtxjitter=000.000000;avgtxjitter=000.000000;stdevtxjitter=000.000000;',
  ],
  [
    'RTPAUDIOQOSLOSS',
    '  minrxlost=000.000000;  maxrxlost=000.000000;  avgrxlost=000.000000;  stdevrxlost=000.000000;  mintxlost=000.000000;  maxtxlost=000.000000;  avgtxlost=000.000000;  stdevtxlost=000.000000;',
  ],
  ['RTPAUDIOQOSRTT', '     minrtt=000.000000;     maxrtt=000.000000;     avgrtt=000.000000;     stdevrtt=000.000000;'],
  [
    'RTPAUDIOQOSMES',
    '   minrxmes=000.000000;   maxrxmes=000.000000;   avgrxmes=000.000000;   stdevrxmes=000.000000;   mintxmes=000.000000;   maxtxmes=000.000000;   avgtxmes=000.000000;   stdevtxmes=000.000000;',
  ],
];
