import type { Keys } from '../../../store/keys.js';
import type { HoldBacks } from '../../pacing/hold-backs.js';
import type { Pacer } from '../../pacing/pacer.js';
import { GO, type Gate } from '../gate.js';

/**
 * The campaign's cps, then its trunk's cps over every campaign on it: each a slot 1/cps after the last one taken,
 * shared by every worker through Redis. A wait longer than one gap is noted: that limit holds the campaign back.
 * The waits end early when the worker stops dialing or the campaign ends (the gates after this one see why).
 */
export const pacingGate =
  (deps: { pacer: Pacer; keys: Keys; holds: HoldBacks }): Gate =>
  async (a) => {
    const cps = a.settings.cps;
    const waited = await deps.pacer.wait(deps.keys.pacer(a.campaignId), cps, a.waitsEnd);
    if (waited > 1000 / cps) deps.holds.note(a.campaignId, { reason: 'cps', detail: `its own ${cps} cps`, waitMs: waited }, a.now());
    const trunk = a.trunk;
    if (trunk?.cps !== undefined) {
      const trunkWaited = await deps.pacer.wait(deps.keys.trunkPacer(trunk.name), trunk.cps, a.waitsEnd);
      if (trunkWaited > 1000 / trunk.cps) {
        deps.holds.note(a.campaignId, { reason: 'trunk-cps', detail: `trunk ${trunk.name} at ${trunk.cps} cps`, waitMs: trunkWaited }, a.now());
      }
    }
    return GO;
  };
