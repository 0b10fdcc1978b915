import type { AriClient } from '../ari/client.js';
import type { AriEventStream } from '../ari/event-stream.js';
import type { Logger } from '../log.js';
import type { AmdOptions } from './amd/amd-options.js';
import type { MessageOptions } from './message/message-options.js';
import type { CallResult, LastKnownState } from './call-result.js';
import type { RecordOptions } from './recording/record-options.js';

/** Hooks for metrics and benchmarks; every one optional and cheap. */
export interface CallObserver {
  originated?(info: { channelId: string; endpoint: string }): void;
  /** The callee's phone rings (first Ringing state of the channel, before any answer). */
  ringing?(info: { channelId: string }): void;
  /** The callee answered (first time the channel is seen Up). */
  answered?(info: { channelId: string; ringMs: number }): void;
  /** Up and in Stasis → `continue` sent: the engine's own reaction time. */
  continued?(info: { channelId: string; latencyMs: number }): void;
  restError?(info: { channelId: string; status: number; method: string; path: string }): void;
  /** A listed key's action reached Asterisk: from the ChannelDtmfReceived to the stop and continue (or hangup) answered. */
  keyAction?(info: { channelId: string; latencyMs: number }): void;
  ended?(result: CallResult): void;
}

/** What a call needs from its process: the ARI REST client and the process's one event socket. */
export interface CallDeps {
  ari: AriClient;
  events: AriEventStream;
  log?: Logger;
  /** Clock in ms since epoch (injected so tests can control it). @defaultValue Date.now */
  now?: () => number;
  observer?: CallObserver;
  /**
   * The end of this channel as another app saw it (a peer worker's witness, see src/campaign/recovery/witness.ts), asked when
   * our own socket missed it: the channel is gone and no ChannelDestroyed reached us. @defaultValue none
   */
  witnessed?: (channelId: string) => Promise<WitnessedEnd | undefined>;
  /**
   * Stores an opt-out (a `--press KEY=optout` key) in the suppression list at once; resolves whether it was stored.
   * @defaultValue none: the result says the opt-out could not be stored
   */
  optOut?: (info: { channelId: string; endpoint: string }) => Promise<boolean>;
}

/** What an app subscribed to a channel (not the one that placed it) saw of that channel until it was destroyed. */
export interface WitnessedEnd {
  cause: number;
  cause_txt: string;
  tech_cause?: number;
  dialstatus?: string;
  otherHalfCause?: number;
  /** Epoch ms of the events, when seen. */
  ringingAt?: number;
  answeredAt?: number;
  endedAt: number;
  /**
   * STASISSTATUS became FAILED: answered while the Stasis app it was originated into had no socket, so Asterisk hung
   * it up. (A subscribed app never sees another app's StasisStart: res_stasis.c publishes it on that app's topic.)
   */
  stasisFailed: boolean;
  /** The app that saw it. */
  app: string;
}

export interface CallParams {
  /** Our deterministic id (see channel-id.ts). */
  channelId: string;
  endpoint: string;
  callerId: string;
  context: string;
  extension: string;
  priority: number;
  /** Originate timeout: seconds to ring before Asterisk gives up. */
  timeoutS: number;
  /** Channel variables set on the originated channel. */
  variables?: Record<string, string>;
  /**
   * Aborting hangs the channel up; the call still resolves with a result. A string `reason` names the occasion in
   * the result when Asterisk cannot be reached ("shutdown" → "Asterisk unreachable during shutdown …").
   */
  signal?: AbortSignal;
  /**
   * After `signal` aborts, how long the call may take to end before it is given up: UNKNOWN, with the last state
   * seen and why (Asterisk unreachable, or not answering the hangup). Whoever aborted must not wait on a gone Asterisk
   * forever. @defaultValue 3000
   */
  hangupWaitMs?: number;
  /** How long past the originate timeout to wait for ChannelDestroyed before asking Asterisk. @defaultValue 5000 */
  graceMs?: number;
  /** Hang the call up after this many seconds of talk. @defaultValue no limit */
  maxCallS?: number;
  /** Hard cap on a call's whole life; past it the channel is hung up. @defaultValue 14400 (4 h) */
  hardCapS?: number;
  /** What to do when the channelId already exists: follow that call (default) instead of failing. */
  adoptExisting?: boolean;
  /**
   * A previous run of this attempt (on a worker that died) may already have originated it: do not originate;
   * follow the channel if Asterisk still has it, else end UNKNOWN. A channel id is free again once its channel
   * is gone, so originating "to get a 409" would dial a finished call a second time. @defaultValue false
   */
  resume?: boolean;
  /**
   * Answering machine detection: the answered call goes through the AMD context first, and AMD's verdict decides
   * between the destination, the machine's place and a hangup. @defaultValue none (straight to the destination)
   */
  amd?: AmdOptions;
  /** Channel variables whose last value goes into the result's `captured` (checked names, at most 16). */
  capture?: readonly string[];
  /** A message played in Stasis once answered, with its press rules (src/dialer/message/). @defaultValue none */
  message?: MessageOptions;
  /** With `resume`: the state the previous run last recorded (for `last_state` when the channel is gone). */
  resumeState?: LastKnownState;
  /** Record the call (a snoop channel beside it, see recording/call-recorder.ts). @defaultValue not recorded */
  record?: RecordOptions;
}
