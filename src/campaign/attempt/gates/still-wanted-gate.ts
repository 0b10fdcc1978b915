import type { CampaignMeta } from '../../../store/campaign-store.js';
import { GO, pastEnd, type Gate } from '../gate.js';

/**
 * The slot may have been far ahead: a cancel, the schedule's end, a pause or the worker stopping meanwhile must
 * still stop this call. A pause (or a stop) puts it back for 500 ms: the paused queue keeps it until a resume.
 */
export const stillWantedGate =
  (deps: { campaign: (campaignId: string) => Promise<CampaignMeta> }): Gate =>
  async (a) => {
    const state = (await deps.campaign(a.campaignId)).state;
    if (state === 'cancelled') return { kind: 'end', as: 'cancelled' };
    const ended = pastEnd(a);
    if (ended) return ended;
    if (state === 'paused') return { kind: 'wait', ms: 500, why: 'the campaign is paused' };
    if (a.hangupAll.aborted || a.stopDialing?.aborted) return { kind: 'wait', ms: 500, why: 'the worker stopped dialing' };
    return GO;
  };
