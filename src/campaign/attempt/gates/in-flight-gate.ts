import type { CampaignStore } from '../../../store/campaign-store.js';
import { GO, type Gate } from '../gate.js';

/**
 * Marks the attempt in flight before the originate, so a mark without a stored result means a run that died may
 * have dialed (see reRunGate). A later gate that stops the attempt clears it: nothing was sent.
 */
export const inFlightGate =
  (deps: { store: CampaignStore; workerName: string }): Gate =>
  async (a) => {
    await deps.store.markInflight(a.campaignId, {
      channelId: a.channelId,
      number: a.data.number,
      attempt: a.data.attempt,
      since: new Date(a.now()).toISOString(),
      worker: deps.workerName,
      state: 'dialing',
    });
    a.onStop(() => deps.store.clearInflight(a.campaignId, a.channelId));
    return GO;
  };
