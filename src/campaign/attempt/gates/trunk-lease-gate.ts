import type { Keys } from '../../../store/keys.js';
import type { ChannelLeases } from '../../pacing/channel-leases.js';
import type { HoldBacks } from '../../pacing/hold-backs.js';
import { GO, pastEnd, type Gate } from '../gate.js';

/**
 * A channel of the trunk's `maxChannels`, shared by every worker and campaign on it. Taken before the cps slots and
 * held while the call waits for them, so the slots never outrun channels; released when the attempt leaves.
 */
export const trunkLeaseGate =
  (deps: { leases: ChannelLeases; keys: Keys; holds: HoldBacks }): Gate =>
  async (a) => {
    const trunk = a.trunk;
    if (trunk?.maxChannels === undefined) return GO;
    const lease = await deps.leases.acquire(deps.keys.trunkChannels(trunk.name), a.channelId, trunk.maxChannels, a.waitsEnd);
    if (!lease) return pastEnd(a) ?? { kind: 'wait', ms: 500, why: 'the worker stopped dialing' };
    a.onExit(() => lease.release().catch((err: Error) => a.log.warn({ err: err.message }, 'trunk channel lease not released; it lapses by itself')));
    if (lease.waitedMs > 0) {
      deps.holds.note(
        a.campaignId,
        { reason: 'trunk-channels', detail: `trunk ${trunk.name} at its ${trunk.maxChannels} channels`, waitMs: lease.waitedMs },
        a.now(),
      );
    }
    return GO;
  };
