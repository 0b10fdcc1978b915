/**
 * Hangup causes as Asterisk names them. Their texts (`ast_cause2str()`, main/channel.c) live in
 * src/dialer/q850.ts; a cause missing from that table is "Unknown", as in Asterisk.
 */

export const CAUSE = {
  UNKNOWN: 0,
  UNALLOCATED: 1,
  NO_ROUTE_DESTINATION: 3,
  NORMAL_CLEARING: 16,
  USER_BUSY: 17,
  NO_USER_RESPONSE: 18,
  NO_ANSWER: 19,
  SUBSCRIBER_ABSENT: 20,
  CALL_REJECTED: 21,
  ANSWERED_ELSEWHERE: 26,
  DESTINATION_OUT_OF_ORDER: 27,
  INVALID_NUMBER_FORMAT: 28,
  NORMAL_UNSPECIFIED: 31,
  NORMAL_CIRCUIT_CONGESTION: 34,
  NETWORK_OUT_OF_ORDER: 38,
  BEARERCAPABILITY_NOTAVAIL: 58,
  INTERWORKING: 127,
} as const;

/** `cause_txt` for a cause code, as in ChannelDestroyed: the one Q.850 table, shared with the call engine. */
export { causeText } from '../dialer/q850.js';

/**
 * The `dialstatus` Asterisk's dialer reports when the dialled channel hangs up before answering
 * (`ast_hangup_cause_to_dial_status`): everything that is not busy, congestion or "unavailable" reads NOANSWER.
 */
export function dialStatusForCause(cause: number): string {
  switch (cause) {
    case CAUSE.USER_BUSY:
      return 'BUSY';
    case CAUSE.NORMAL_CIRCUIT_CONGESTION:
      return 'CONGESTION';
    case CAUSE.NO_ROUTE_DESTINATION:
    case CAUSE.SUBSCRIBER_ABSENT:
      return 'CHANUNAVAIL';
    default:
      return 'NOANSWER';
  }
}

/** `DELETE /channels/{id}?reason=` values and the cause each sets (resource_channels.c). */
const HANGUP_REASONS: ReadonlyMap<string, number> = new Map([
  ['normal', CAUSE.NORMAL_CLEARING],
  ['busy', CAUSE.USER_BUSY],
  ['congestion', CAUSE.NORMAL_CIRCUIT_CONGESTION],
  ['no_answer', CAUSE.NO_ANSWER],
  ['timeout', CAUSE.NO_USER_RESPONSE],
  ['rejected', CAUSE.CALL_REJECTED],
  ['unallocated', CAUSE.UNALLOCATED],
  ['normal_unspecified', CAUSE.NORMAL_UNSPECIFIED],
  ['number_incomplete', CAUSE.INVALID_NUMBER_FORMAT],
  ['codec_mismatch', CAUSE.BEARERCAPABILITY_NOTAVAIL],
  ['interworking', CAUSE.INTERWORKING],
  ['failure', CAUSE.NETWORK_OUT_OF_ORDER],
  ['answered_elsewhere', CAUSE.ANSWERED_ELSEWHERE],
]);

/** The cause for a hangup `reason`, or undefined when Asterisk would answer 400 "Invalid reason...". */
export function causeForHangupReason(reason: string): number | undefined {
  return HANGUP_REASONS.get(reason);
}

/**
 * Soft-hangup flags. A ChannelHangupRequest with `soft: true` carries one of these in `cause` (not a Q.850 cause):
 * 32 is an explicit hangup such as ARI's DELETE, 16 what the other half of a Local channel gets.
 */
export const SOFTHANGUP = {
  /** ast_softhangup_all() at shutdown or restart (main/channel.c). */
  SHUTDOWN: 4,
  APPUNLOAD: 16,
  EXPLICIT: 32,
} as const;
