import type { AsteriskHealth } from '../../health/asterisk-health.js';
import type { CampaignBreakers } from '../../health/campaign-breakers.js';
import { GO, holdBack, type Gate } from '../gate.js';

/**
 * The last word right before the originate, after the last wait (slot, spacing, Redis round trips under load: 100+
 * ms): Asterisk may have gone away or the breaker opened meanwhile. Nothing was sent. A breaker half open admits one
 * trial call (noted on the attempt for its judgement).
 */
export const admissionGate =
  (deps: { health: AsteriskHealth; breakers: CampaignBreakers }): Gate =>
  (a) => {
    a.admission = deps.health.up ? deps.breakers.admit(a.campaignId) : 'no';
    if (a.admission !== 'no') return GO;
    return deps.health.up
      ? holdBack(a, 'circuit breaker open', deps.breakers.retryInMs(a.campaignId))
      : holdBack(a, `Asterisk down (${deps.health.reason})`, deps.health.retryInMs());
  };
