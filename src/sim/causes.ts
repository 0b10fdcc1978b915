/**
 * Hangup causes as Asterisk names them. Texts are spelled exactly as `ast_cause2str()` returns them (the `causes[]`
 * table in main/channel.c), because clients show and sometimes match them; a cause missing from the table is
 * "Unknown", as in Asterisk.
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

const CAUSE_TEXT: ReadonlyMap<number, string> = new Map([
  [1, 'Unallocated (unassigned) number'],
  [2, 'No route to specified transmit network'],
  [3, 'No route to destination'],
  [5, 'Misdialed trunk prefix'],
  [6, 'Channel unacceptable'],
  [7, 'Call awarded and being delivered in an established channel'],
  [8, 'Pre-empted'],
  [14, 'Number ported elsewhere'],
  [16, 'Normal Clearing'],
  [17, 'User busy'],
  [18, 'No user responding'],
  [19, 'User alerting, no answer'],
  [20, 'Subscriber absent'],
  [21, 'Call Rejected'],
  [22, 'Number changed'],
  [23, 'Redirected to new destination'],
  [26, 'Answered elsewhere'],
  [27, 'Destination out of order'],
  [28, 'Invalid number format'],
  [29, 'Facility rejected'],
  [30, 'Response to STATus ENQuiry'],
  [31, 'Normal, unspecified'],
  [34, 'Circuit/channel congestion'],
  [38, 'Network out of order'],
  [41, 'Temporary failure'],
  [42, 'Switching equipment congestion'],
  [43, 'Access information discarded'],
  [44, 'Requested channel not available'],
  [50, 'Facility not subscribed'],
  [52, 'Outgoing call barred'],
  [54, 'Incoming call barred'],
  [57, 'Bearer capability not authorized'],
  [58, 'Bearer capability not available'],
  [65, 'Bearer capability not implemented'],
  [66, 'Channel not implemented'],
  [69, 'Facility not implemented'],
  [81, 'Invalid call reference value'],
  [88, 'Incompatible destination'],
  [95, 'Invalid message unspecified'],
  [96, 'Mandatory information element is missing'],
  [97, 'Message type nonexist.'],
  [98, 'Wrong message'],
  [99, 'Info. element nonexist or not implemented'],
  [100, 'Invalid information element contents'],
  [101, 'Message not compatible with call state'],
  [102, 'Recover on timer expiry'],
  [103, 'Mandatory IE length error'],
  [111, 'Protocol error, unspecified'],
  [127, 'Interworking, unspecified'],
]);

/** `cause_txt` for a cause code, as in ChannelDestroyed. */
export function causeText(cause: number): string {
  return CAUSE_TEXT.get(cause) ?? 'Unknown';
}

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
  APPUNLOAD: 16,
  EXPLICIT: 32,
} as const;
