import type { Disposition } from './call-result.js';
import { causeText } from './q850.js';

export type { Disposition } from './call-result.js';

/** How an unanswered call's Q.850 cause reads for a dialer. Answered calls are ANSWERED whatever the cause. */
const CAUSE_DISPOSITION: Readonly<Record<number, Disposition>> = {
  16: 'NO_ANSWER', // cleared before answer: the far end (or a timer) gave up while ringing
  17: 'BUSY',
  18: 'NO_ANSWER',
  19: 'NO_ANSWER',
  31: 'NO_ANSWER',
  21: 'REJECTED',
  34: 'CONGESTION',
  41: 'CONGESTION',
  42: 'CONGESTION',
  44: 'CONGESTION',
  47: 'CONGESTION',
};

/**
 * A Local channel's `;1` half dies with cause 0 on busy and congestion; the `Dial` event's dialstatus says what
 * happened (see test/sim/traces/busy.json). Asterisk's dialstatus → the cause it stands for.
 */
const DIALSTATUS_CAUSE: Readonly<Record<string, number>> = {
  BUSY: 17,
  CONGESTION: 34,
  NOANSWER: 19,
  CHANUNAVAIL: 20,
};

export interface OutcomeInput {
  cause: number;
  answered: boolean;
  /** The last `Dial` dialstatus seen for the channel, if any. */
  dialstatus?: string;
  /** The cause of a Local channel's `;2` half, when it died first. */
  otherHalfCause?: number;
  /** The channel was seen ringing. */
  rang: boolean;
  /** We hung it up ourselves (cancellation). */
  cancelled: boolean;
}

export interface Outcome {
  cause: number;
  cause_txt: string;
  disposition: Disposition;
  /** Why the cause differs from the one Asterisk reported, if it does. */
  note?: string;
}

/** Turns what ChannelDestroyed said (plus what came before it) into the cause and disposition we report. */
export function decideOutcome(input: OutcomeInput): Outcome {
  let cause = input.cause;
  let note: string | undefined;
  if (cause === 0 && !input.answered) {
    const fromDial = input.dialstatus ? DIALSTATUS_CAUSE[input.dialstatus] : undefined;
    const fromHalf = input.otherHalfCause && input.otherHalfCause !== 16 ? input.otherHalfCause : undefined;
    const resolved = fromDial ?? fromHalf ?? (input.rang ? 19 : undefined);
    if (resolved !== undefined) {
      // Some Asterisk versions say 0 "Unknown" where the truth is known from Dial or the timeout while ringing.
      note = `Asterisk reported cause 0; ${fromDial ? `Dial status ${input.dialstatus}` : fromHalf ? 'the Local ;2 half' : 'rang until the timeout'} gives ${resolved}`;
      cause = resolved;
    }
  }
  return { cause, cause_txt: causeText(cause), disposition: dispositionFor(cause, input), note };
}

function dispositionFor(cause: number, input: OutcomeInput): Disposition {
  if (input.answered) return 'ANSWERED';
  if (input.cancelled) return 'CANCELLED';
  if (cause === 0) return 'UNKNOWN';
  return CAUSE_DISPOSITION[cause] ?? 'FAILED';
}

/** The seed's message format: "Normal Clearing (16)". */
export const causeMessage = (cause: number, text: string = causeText(cause)): string => `${text} (${cause})`;
