import type { AmdStatus } from './amd/amd-verdict.js';
import type { RecordingInfo } from './recording/recording-info.js';

/**
 * What became of one call attempt. ANSWERED..CANCELLED come from Asterisk; UNKNOWN and ERROR from us.
 * INTERRUPTED is neither the callee's nor a bad number's doing: Asterisk shut down under the call, or our app lost
 * its event socket while the call needed it, so the callee never had a fair chance (retried by default).
 */
export type Disposition = 'ANSWERED' | 'BUSY' | 'NO_ANSWER' | 'CONGESTION' | 'REJECTED' | 'FAILED' | 'CANCELLED' | 'UNKNOWN' | 'ERROR' | 'INTERRUPTED';

export const DISPOSITIONS: readonly Disposition[] = [
  'ANSWERED',
  'BUSY',
  'NO_ANSWER',
  'CONGESTION',
  'REJECTED',
  'FAILED',
  'CANCELLED',
  'UNKNOWN',
  'ERROR',
  'INTERRUPTED',
];

/**
 * The one result of one call attempt, in the seed script's spirit (snake_case, as printed by `dial`).
 * Times are ISO-8601 strings; durations are seconds with millisecond precision.
 */
export interface CallResult {
  /**
   * `success` when Asterisk took the call and we saw its end (whatever its outcome, as the seed script reports it),
   * `error` when it could not be placed or followed.
   */
  status: 'success' | 'error';
  answered: boolean;
  /** Q.850 cause code from ChannelDestroyed (0 when unknown). */
  cause: number;
  cause_txt: string;
  /** Human summary, e.g. "Normal Clearing (16)", or Asterisk's error message when status is error. */
  message: string;
  disposition: Disposition;
  /** Technology cause when Asterisk gave one (e.g. the SIP response code). */
  tech_cause?: number;
  /** The `Dial` event's dialstatus when seen (BUSY, CONGESTION, NOANSWER, ANSWER, ...). */
  dialstatus?: string;
  channel_id: string;
  endpoint: string;
  callerid: string;
  created_at: string;
  answered_at: string | null;
  ended_at: string;
  ring_s: number;
  talk_s: number;
  duration: number;
  /** Whether Asterisk accepted our `continue` to the dialplan (204). */
  continued?: boolean;
  /** How the result was reached when not from a ChannelDestroyed event (e.g. "adopted", "channel gone"). */
  reason?: string;
  /** HTTP status of the failing ARI request when status is error. */
  http_status?: number;
  /**
   * When we lost sight of the call (its end fell into a gap of the event socket, or a worker died under it): the
   * last state we knew. `dialing`: originated, no ring seen; `ringing`; `answered`.
   */
  last_state?: LastKnownState;
  /** Where the result came from when not from our own socket: `witness` (a peer worker saw the end), `takeover`. */
  source?: 'witness' | 'takeover';
  /** Stable code of the error that ended the attempt (ARI_HTTP, ARI_UNREACHABLE, ARI_NOT_ARI, ...), when one did. */
  error_code?: string;
  /**
   * `false` when Asterisk certainly did not take the originate (it answered with an error, or no connection was
   * made): no phone rang, so a campaign may send the attempt again without dialing twice. Absent otherwise.
   */
  placed?: false;
  /**
   * Answering machine detection, when the call went through it (`--amd`): AMDSTATUS as Asterisk's AMD() set it
   * (HUMAN, MACHINE, NOTSURE, or HANGUP when the callee hung up during the analysis).
   */
  amd_status?: AmdStatus;
  /** AMDCAUSE, e.g. `HUMAN-800-800`, `MAXWORDS-4-3`, `TOOLONG-5000` (apps/app_amd.c). */
  amd_cause?: string;
  /** Milliseconds from our `continue` into the AMD context to its verdict. */
  amd_ms?: number;
  /** The call's recording, when it was recorded (`--record`): where it is, how long, or why it failed. */
  recording?: RecordingInfo;
  /** DTMF digits the callee pressed from the answer to the end, in order ('' for none; in Stasis and in the dialplan). */
  keys?: string;
  /** Seconds from the answer to the first key; null when none was pressed. */
  first_key_s?: number | null;
  /** The last value each `--capture` variable took on the channel (at most 256 bytes, a longer one cut and ending in …). */
  captured?: Record<string, string>;
  /**
   * How the message ended: `pressed` (a listed key did its action), `optout`, `no_press` (it ended with no listed
   * key), `hung_up_in_message`, `not_played` (Asterisk could not play it, or it never started: see message_reason).
   */
  flow?: 'pressed' | 'optout' | 'no_press' | 'hung_up_in_message' | 'not_played';
  /** Seconds of the message the callee heard (until a key, the hangup, or its end). */
  heard_s?: number;
  /** The message played to its end. */
  message_done?: boolean;
  /** The callee asked never to be called again (a `--press KEY=optout` key). */
  opted_out?: boolean;
  /** With opted_out: the number went into the suppression list. */
  optout_stored?: boolean;
  /** Why an opt-out was not stored. */
  optout_note?: string;
  /** Why the message was not played (Asterisk's answer, or PlaybackFinished state failed). */
  message_reason?: string;
  /** Seconds of the machine message played to a voicemail (`--machine-message`). */
  machine_message_s?: number;
}

export type LastKnownState = 'dialing' | 'ringing' | 'answered';
