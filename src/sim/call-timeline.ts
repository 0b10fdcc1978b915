import { DEFAULT_RING_MS, type CallPlan, type Outcome } from './rules.js';
import type { Technology } from './technologies.js';

/**
 * When things happen to one dialled call, in simulated ms from the originate (before the time scale). Pure, so the
 * timing rules can be read and tested apart from the event plumbing.
 */
export interface Timeline {
  /** What ends the dialling: the plan's outcome, or `timeout` when the originate timeout comes first. */
  readonly end: Outcome | 'timeout';
  /** When the far end starts ringing; undefined when it never rings. */
  readonly ringAt: number | undefined;
  /** When `end` happens; Infinity for a call that rings until someone hangs up. */
  readonly endAt: number;
  /** Talk time after answer before the callee hangs up. */
  readonly talkMs: number;
  /** Seconds the callee's dialplan waits while ringing (a Local `;2` shows `Wait(<ringSeconds>)`). */
  readonly ringSeconds: string;
}

/** The lab dialplan's `noanswer` extension waited 120 s; ChannelDialplan shows that value. */
const NOANSWER_WAIT_SECONDS = '120';

/**
 * Derives the timeline:
 * - answer rings `ringMs` (default 1000); a Local channel rings at once, other drivers after their signalling delay
 *   (no ringing at all when the answer comes first);
 * - failures come before any ringing, at once on Local and after twice the signalling delay elsewhere (the 486 in the
 *   SIP trace arrived after ~200 ms), unless the rule gives a `ringMs`, in which case the phone rings that long first;
 * - noanswer rings until the originate timeout;
 * - whatever would come at or after the originate timeout is replaced by the timeout (`timeoutMs` undefined: none).
 */
export function timelineFor(plan: CallPlan, tech: Technology, timeoutMs: number | undefined): Timeline {
  const ringFirst = (endAt: number): number | undefined => {
    if (tech.local) return 0;
    return tech.setupMs < endAt ? tech.setupMs : undefined;
  };
  let end: Outcome | 'timeout' = plan.outcome;
  let endAt: number;
  let ringAt: number | undefined;
  if (plan.outcome === 'answer') {
    endAt = plan.ringMs ?? DEFAULT_RING_MS;
    ringAt = ringFirst(endAt);
  } else if (plan.outcome === 'noanswer') {
    endAt = Number.POSITIVE_INFINITY;
    ringAt = tech.local ? 0 : tech.setupMs;
  } else if (plan.ringMs !== undefined && plan.ringMs > 0) {
    endAt = plan.ringMs;
    ringAt = ringFirst(endAt);
  } else {
    endAt = tech.local ? 0 : 2 * tech.setupMs;
    ringAt = undefined;
  }
  const ringSeconds = plan.outcome === 'noanswer' ? NOANSWER_WAIT_SECONDS : seconds(endAt);
  if (timeoutMs !== undefined && endAt >= timeoutMs) {
    end = 'timeout';
    endAt = timeoutMs;
    if (ringAt !== undefined && ringAt >= timeoutMs) ringAt = undefined;
  }
  return { end, ringAt, endAt, talkMs: plan.talkMs, ringSeconds };
}

/** Dialplan apps take seconds: 1000 ms → "1", 250 ms → "0.25". */
export function seconds(ms: number): string {
  return String(Math.round(ms) / 1000);
}

/**
 * The originate `timeout` parameter as resource_channels.c reads it: seconds > 0, -1 for none, anything else (0 or
 * absent) 30 s. Returns ms, or undefined for no timeout.
 */
export function originateTimeoutMs(timeout: number | undefined): number | undefined {
  if (timeout === -1) return undefined;
  if (timeout !== undefined && timeout > 0) return timeout * 1000;
  return 30_000;
}
