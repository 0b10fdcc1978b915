import type { CampaignMeta } from '../../../store/campaign-store.js';
import { schedulePhase } from '../../policy/schedule.js';
import { endedBeforeDial, GO, type Gate } from '../gate.js';

/**
 * The slot may have been far ahead: a cancel, the schedule's end, a pause or the worker stopping meanwhile must
 * still stop this call. A pause (or a stop) puts it back for 500 ms: the paused queue keeps it until a resume.
 */
export const stillWantedGate =
  (deps: { campaign: (campaignId: string) => Promise<CampaignMeta> }): Gate =>
  async (a) => {
    const state = (await deps.campaign(a.campaignId)).state;
    if (state === 'cancelled') return { kind: 'end', as: 'cancelled' };
    const phase = schedulePhase(a.settings, a.now());
    if (phase.kind === 'ended') return endedBeforeDial(a, phase.endAt);
    if (state === 'paused') return { kind: 'wait', ms: 500, why: 'the campaign is paused' };
    if (a.hangupAll.aborted || a.stopDialing?.aborted) return { kind: 'wait', ms: 500, why: 'the worker stopped dialing' };
    return GO;
  };
