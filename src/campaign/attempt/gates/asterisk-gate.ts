import type { AsteriskHealth } from '../../health/asterisk-health.js';
import type { HoldBacks } from '../../pacing/hold-backs.js';
import { GO, holdBack, type Gate } from '../gate.js';

/**
 * This worker's Asterisk: restarting or unreachable, an originate now would fail, or ring a phone whose answer no
 * socket of ours would hear. The attempt goes back to the queue untouched (no attempt recorded, no retry spent).
 */
export const asteriskGate =
  (deps: { health: AsteriskHealth; holds: HoldBacks }): Gate =>
  (a) => {
    if (deps.health.up) return GO;
    const why = `Asterisk down (${deps.health.reason})`;
    deps.holds.note(a.campaignId, { reason: 'asterisk', detail: why }, a.now());
    return holdBack(a, why, deps.health.retryInMs());
  };
