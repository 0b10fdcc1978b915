import type { CampaignBreakers } from '../../health/campaign-breakers.js';
import { GO, holdBack, type Gate } from '../gate.js';

/** The campaign's circuit breaker on this worker: open, its attempts wait for its next probe. */
export const breakerGate =
  (deps: { breakers: CampaignBreakers }): Gate =>
  (a) =>
    deps.breakers.state(a.campaignId) === 'open' ? holdBack(a, 'circuit breaker open', deps.breakers.retryInMs(a.campaignId)) : GO;
