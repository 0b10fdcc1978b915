import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attemptNextStep, type AttemptNextStepDeps } from '../../src/campaign/attempt-next-step.js';
import { PARK_RETRY_MIN_MS } from '../../src/campaign/hopper/contact-table.js';
import type { DialJobData } from '../../src/campaign/job-data.js';
import { DEFAULT_SETTINGS } from '../../src/policy/campaign-settings.js';
import { CampaignStore, type CampaignMeta } from '../../src/store/campaign-store.js';
import { Keys } from '../../src/store/keys.js';
import { attempt } from '../report/attempt-fixture.js';
import { dropPrefix, testPrefix, testRedis } from '../helpers/redis-test.js';

let redis: Redis;
let store: CampaignStore;
const prefix = testPrefix('next-step');

beforeAll(() => {
  redis = testRedis();
  store = new CampaignStore(redis, new Keys(prefix));
});
afterAll(async () => {
  await dropPrefix(redis, prefix);
  redis.disconnect();
});

const meta = (contacts?: 'pg'): CampaignMeta => ({
  id: 'n1',
  name: 'n1',
  state: 'running',
  createdAt: new Date().toISOString(),
  settings: { ...DEFAULT_SETTINGS, endpoint: 'PJSIP/{number}@pstn' },
  ...(contacts ? { contacts } : {}),
});
const data: DialJobData = { campaignId: 'n1', number: '+4930123456', row: 2, attempt: 1 };

/** The next step's deps, recording where each retry went. */
function rig(park?: AttemptNextStepDeps['parkRetry']) {
  const jobs: Array<{ jobId: string; delayMs: number; tries: DialJobData['tries'] }> = [];
  const deps: AttemptNextStepDeps = {
    store,
    enqueueRetry: async (d, jobId, delayMs) => void jobs.push({ jobId, delayMs, tries: d.tries }),
    enqueueWebhook: async () => undefined,
    ...(park ? { parkRetry: park } : {}),
  };
  return { deps, jobs };
}

describe('the retry after an attempt', () => {
  const busy = (retryInS: number) => attempt({ final: false, retry_in_s: retryInS });

  it('a list in PostgreSQL parks a retry due later there, with its tries; no job', async () => {
    const parked: Array<[DialJobData, number]> = [];
    const { deps, jobs } = rig(async (next, delayMs) => (parked.push([next, delayMs]), true));
    await attemptNextStep(deps, meta('pg'), data, busy(300), Date.now());
    expect(jobs).toEqual([]);
    expect(parked).toEqual([[expect.objectContaining({ number: data.number, attempt: 2, tries: { BUSY: 1 } }), 300_000]]);
  });

  it('a retry due sooner than the threshold, or a list in Redis, is a delayed job', async () => {
    const parked: unknown[] = [];
    const soon = rig(async (next) => (parked.push(next), true));
    await attemptNextStep(soon.deps, meta('pg'), data, busy(PARK_RETRY_MIN_MS / 1000 - 1), Date.now());
    expect(soon.jobs).toEqual([{ jobId: 'n1|+4930123456|a2', delayMs: PARK_RETRY_MIN_MS - 1000, tries: { BUSY: 1 } }]);
    const inRedis = rig(async (next) => (parked.push(next), true));
    await attemptNextStep(inRedis.deps, meta(), data, busy(300), Date.now());
    expect(inRedis.jobs).toHaveLength(1);
    expect(parked).toEqual([]);
  });

  it('when PostgreSQL refuses, says no, or hangs past the bound, the retry is a delayed job', async () => {
    const refused = rig(async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    });
    await attemptNextStep(refused.deps, meta('pg'), data, busy(60), Date.now());
    expect(refused.jobs.map((j) => j.jobId)).toEqual(['n1|+4930123456|a2']);

    const no = rig(async () => false);
    await attemptNextStep(no.deps, meta('pg'), data, busy(60), Date.now());
    expect(no.jobs).toHaveLength(1);

    const hangs = rig(() => new Promise<boolean>(() => undefined));
    const t0 = Date.now();
    await attemptNextStep(hangs.deps, meta('pg'), data, busy(60), Date.now());
    expect(hangs.jobs).toHaveLength(1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2900);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});
