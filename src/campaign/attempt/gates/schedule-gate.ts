import type { CampaignMeta } from '../../../store/campaign-store.js';
import type { HoldBacks } from '../../pacing/hold-backs.js';
import { schedulePhase } from '../../../policy/schedule.js';
import { endedBeforeDial, GO, pastEnd, type Gate } from '../gate.js';

export interface ScheduleGateDeps {
  /** The campaign as stored now (not the worker's cache). */
  latest: (campaignId: string) => Promise<CampaignMeta | undefined>;
  holds: HoldBacks;
}

/** The campaign's schedule: nothing before its start (waits exactly until it), nothing after its end. */
export const scheduleGate =
  (deps: ScheduleGateDeps): Gate =>
  async (a) => {
    let phase = schedulePhase(a.settings, a.now());
    // The cached settings may predate an edit that moved the start earlier (and woke these jobs): read them afresh
    // before putting the job away until the start.
    if (phase.kind === 'before') phase = schedulePhase((await deps.latest(a.campaignId))?.settings ?? a.settings, a.now());
    if (phase.kind === 'ended') return endedBeforeDial(a, phase.endAt);
    if (phase.kind === 'open') return GO;
    deps.holds.note(a.campaignId, { reason: 'schedule', detail: `starts at ${phase.startAt}` }, a.now());
    a.log.debug({ waitMs: phase.waitMs }, 'before the campaign start; waiting');
    // Exactly to the start: jobs of a campaign that waits are not looked at again and again meanwhile.
    return { kind: 'wait', ms: phase.waitMs, why: `the campaign starts at ${phase.startAt}` };
  };

/** The last check before the originate: a wait for a slot or the spacing may have run past the campaign's end. */
export const campaignEndGate: Gate = (a) => pastEnd(a) ?? GO;
