import { endedMessage, schedulePhase } from '../../policy/schedule.js';
import type { Attempt } from './attempt.js';

/**
 * What a gate decides for an attempt. A gate has one job, named for what it guards (the schedule, the calling
 * window, Asterisk's health, a trunk's channels...); a new concern is a new gate in dialContact's list.
 */
export type GateOutcome =
  /** Pass: the next gate, then the call. */
  | { kind: 'go' }
  /** Not now: back to the queue untouched (no attempt recorded, no retry spent), looked at again in `ms`. */
  | { kind: 'wait'; ms: number; why: string }
  /**
   * No call for this attempt. `cancelled`: a final CANCELLED result is recorded (with `message`, or the cancel's);
   * `failed`: the row itself cannot be dialed, the job fails without retries.
   */
  | { kind: 'end'; as: 'cancelled'; message?: string }
  | { kind: 'end'; as: 'failed'; message: string };

/** An outcome that stops the attempt before its call. */
export type GateStop = Exclude<GateOutcome, { kind: 'go' }>;

export type Gate = (a: Attempt) => GateOutcome | Promise<GateOutcome>;

export const GO: GateOutcome = Object.freeze({ kind: 'go' });

/** Spread of the waits of attempts held back together, so they do not all come back in the same millisecond. */
export const JITTER_MS = 250;

/** Runs the gates in order; the first that does not say go stops the attempt. */
export async function passGates(a: Attempt, gates: readonly Gate[]): Promise<GateStop | undefined> {
  for (const gate of gates) {
    const outcome = await gate(a);
    if (outcome.kind !== 'go') return outcome;
  }
  return undefined;
}

/** A gate only a dialing run passes through: a re-run following its live channel has nothing left to wait for. */
export const dialingOnly =
  (gate: Gate): Gate =>
  (a) =>
    a.dialing ? gate(a) : GO;

/** Held back by something that passes (Asterisk away, a breaker open): at least 100 ms, plus a little jitter. */
export function holdBack(a: Attempt, why: string, ms: number): GateStop {
  a.log.debug({ why, waitMs: ms }, 'attempt held back');
  return { kind: 'wait', ms: Math.max(100, ms) + Math.floor(Math.random() * JITTER_MS), why };
}

/** The campaign's end came before this attempt was dialed. */
export const endedBeforeDial = (a: Attempt, endAt: string): GateStop => ({ kind: 'end', as: 'cancelled', message: endedMessage(endAt, a.data.attempt > 1) });

/** The attempt's stop when the campaign's end has passed by now (a wait may have run past it); else undefined. */
export function pastEnd(a: Attempt): GateStop | undefined {
  const phase = schedulePhase(a.settings, a.now());
  return phase.kind === 'ended' ? endedBeforeDial(a, phase.endAt) : undefined;
}
