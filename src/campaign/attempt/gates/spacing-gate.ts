import type { Keys } from '../../../store/keys.js';
import type { Pacer } from '../../pacing/pacer.js';
import { GO, type Gate } from '../gate.js';

/**
 * A trunk's cps is the carrier's hard limit: its send window is this much wider than 1 s, so the few ms between
 * claiming a moment in Redis and the originate leaving do not put cps + 1 into a second (costs ~3 % at 20 cps).
 */
export const TRUNK_SLACK_MS = 30;

/**
 * Last step before the originate: at most cps originates in any second, whatever the timers did (a worker whose
 * slot timer fired late would otherwise send right next to an on-time neighbour); then the trunk's own window.
 */
export const spacingGate =
  (deps: { pacer: Pacer; keys: Keys }): Gate =>
  async (a) => {
    await deps.pacer.space(deps.keys.pacer(a.campaignId), a.settings.cps, a.hangupAll);
    const trunk = a.trunk;
    if (trunk?.cps !== undefined) await deps.pacer.space(deps.keys.trunkPacer(trunk.name), trunk.cps, a.hangupAll, TRUNK_SLACK_MS);
    return GO;
  };
