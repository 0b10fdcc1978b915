import type { Redis } from 'ioredis';
import { Attempt } from '../../../src/campaign/attempt/attempt.js';
import type { GateOutcome } from '../../../src/campaign/attempt/gate.js';
import type { DialJobData } from '../../../src/campaign/job-data.js';
import { HoldBacks, type HoldReason } from '../../../src/campaign/pacing/hold-backs.js';
import { DEFAULT_SETTINGS, type CampaignSettings } from '../../../src/policy/campaign-settings.js';
import { silentLogger } from '../../../src/log.js';
import { CampaignStore, type CampaignMeta, type InflightCall } from '../../../src/store/campaign-store.js';
import { Keys } from '../../../src/store/keys.js';
import { dropPrefix, testPrefix, testRedis, waitUntil } from '../../helpers/redis-test.js';

/** A campaign store and hold-back notes on a prefix of the test's own, and attempts of one campaign to run gates on. */
export class AttemptRig {
  readonly redis: Redis = testRedis();
  readonly keys: Keys;
  readonly store: CampaignStore;
  readonly holds: HoldBacks;

  constructor(name: string) {
    this.keys = new Keys(testPrefix(name));
    this.store = new CampaignStore(this.redis, this.keys);
    this.holds = new HoldBacks(this.redis, this.keys);
  }

  /** Stores a campaign `c1` with these settings (and state) and returns its meta. */
  async campaign(settings: Partial<CampaignSettings> = {}, state: CampaignMeta['state'] = 'running'): Promise<CampaignMeta> {
    return this.store.create({ id: 'c1', name: 'gates', state, settings: { ...DEFAULT_SETTINGS, endpoint: 'PJSIP/{number}@pstn', ...settings } });
  }

  attempt(
    meta: CampaignMeta,
    o: { data?: Partial<DialJobData>; now?: number; hangupAll?: AbortSignal; stopDialing?: AbortSignal; markFound?: InflightCall } = {},
  ): Attempt {
    return new Attempt({
      data: { campaignId: meta.id, number: '4930123', row: 2, attempt: 1, ...o.data },
      meta,
      markFound: o.markFound,
      jobId: 'j1',
      log: silentLogger,
      now: o.now === undefined ? undefined : () => o.now!,
      hangupAll: o.hangupAll ?? new AbortController().signal,
      stopDialing: o.stopDialing,
    });
  }

  /** Waits for the hold-back note of `reason` (notes are fire and forget) and returns its detail. */
  async noted(reason: HoldReason, now?: number): Promise<string> {
    let detail = '';
    await waitUntil(`a ${reason} note`, async () => {
      const hold = (await this.holds.recent('c1', now)).find((h) => h.reason === reason);
      detail = hold?.detail ?? '';
      return hold !== undefined;
    });
    return detail;
  }

  async close(): Promise<void> {
    await dropPrefix(this.redis, this.keys.prefix);
    this.redis.disconnect();
  }
}

/** Narrows an outcome to a wait and returns its ms (fails the test otherwise). */
export function waitMs(o: GateOutcome): number {
  if (o.kind !== 'wait') throw new Error(`expected a wait, got ${JSON.stringify(o)}`);
  return o.ms;
}
