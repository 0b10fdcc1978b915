import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CampaignStore } from '../../src/store/campaign-store.js';
import { Keys } from '../../src/store/keys.js';
import { DEFAULT_SETTINGS } from '../../src/policy/campaign-settings.js';
import type { AttemptRecord } from '../../src/report/summarize.js';
import { keepWitnessedEnd } from '../../src/campaign/recovery/witness.js';
import { ActivityNotices } from '../../src/store/activity-notices.js';
import { dropPrefix, testPrefix, testRedis } from '../helpers/redis-test.js';

let redis: Redis;
const prefix = testPrefix('store');
let store: CampaignStore;

beforeAll(() => {
  redis = testRedis();
  store = new CampaignStore(redis, new Keys(prefix));
});
afterAll(async () => {
  await dropPrefix(redis, prefix);
  redis.disconnect();
});

const record = (over: Partial<AttemptRecord>): AttemptRecord => ({
  status: 'success',
  answered: false,
  cause: 17,
  cause_txt: 'User busy',
  message: 'User busy (17)',
  disposition: 'BUSY',
  channel_id: 'ch-1',
  endpoint: 'SIP/x',
  callerid: '1',
  created_at: new Date().toISOString(),
  answered_at: null,
  ended_at: new Date().toISOString(),
  ring_s: 1,
  talk_s: 0,
  duration: 1,
  campaignId: 'c1',
  row: 2,
  number: '+1555',
  attempt: 1,
  final: false,
  ...over,
});

describe('CampaignStore', () => {
  it('stores an attempt once however often it is recorded, and finishes the campaign on the last final', async () => {
    await store.create({ id: 'c1', name: 'c1', settings: { ...DEFAULT_SETTINGS, endpoint: 'SIP/{number}' } });
    await store.addImportCounts('c1', { total: 1 });
    await store.settle('c1', 'importing');
    await store.markInflight('c1', { channelId: 'ch-1', number: '+1555', attempt: 1, since: new Date().toISOString(), worker: 'w', state: 'dialing' });
    expect(await store.recordAttempt(record({}))).toBe(true);
    expect(await store.recordAttempt(record({}))).toBe(false);
    expect((await store.counters('c1')).attempts).toBe(1);
    expect((await store.counters('c1')).inflight).toBe(0);
    expect((await store.get('c1'))!.state).toBe('running');
    const final = record({ channel_id: 'ch-2', attempt: 2, final: true, disposition: 'ANSWERED', answered: true, cause: 16 });
    expect(await store.recordAttempt(final)).toBe(true);
    expect(await store.recordAttempt(final)).toBe(false);
    const c = await store.counters('c1');
    expect(c).toMatchObject({ attempts: 2, done: 1, total: 1 });
    expect(c.final).toEqual({ ANSWERED: 1 });
    expect(c.attempt).toEqual({ BUSY: 1, ANSWERED: 1 });
    expect((await store.get('c1'))!.state).toBe('finished');
    expect((await store.attemptByChannel('c1', 'ch-2'))?.disposition).toBe('ANSWERED');
  });

  it('marks a call in flight answered, but never brings back one whose result is stored', async () => {
    await store.markInflight('c2', { channelId: 'x', number: '+1', attempt: 1, since: new Date().toISOString(), worker: 'w', state: 'dialing' });
    await store.markAnswered('c2', 'x', '2026-01-01T00:00:00.000Z');
    expect(await store.inflight('c2')).toMatchObject([{ channelId: 'x', state: 'answered', answeredAt: '2026-01-01T00:00:00.000Z' }]);
    await store.clearInflight('c2', 'x');
    await store.markAnswered('c2', 'x', '2026-01-01T00:00:01.000Z');
    expect(await store.inflight('c2')).toEqual([]);
  });

  it('swaps a stored attempt for a small settled marker once its job is done, and never creates one', async () => {
    await store.create({ id: 'c3', name: 'c3', settings: { ...DEFAULT_SETTINGS, endpoint: 'SIP/{number}' } });
    const rec = record({ campaignId: 'c3', channel_id: 'ch-3', vars: { crm: 'x'.repeat(500) } });
    expect(await store.recordAttempt(rec)).toBe(true);
    await store.markSettled('c3', 'ch-3', rec);
    expect(await store.attemptByChannel('c3', 'ch-3')).toEqual({ settled: true, disposition: 'BUSY', final: false });
    expect(await redis.hstrlen(store.keys.attemptIds('c3'), 'ch-3')).toBeLessThan(60);
    // A re-run that records again still sees the attempt as stored: it is not placed twice.
    expect(await store.recordAttempt(rec)).toBe(false);
    await store.markSettled('c3', 'never-recorded', rec);
    expect(await store.attemptByChannel('c3', 'never-recorded')).toBeUndefined();
  });

  it('a stored attempt leaves no in-flight mark, even one written again by a second follower of the call', async () => {
    await store.create({ id: 'c4', name: 'c4', settings: { ...DEFAULT_SETTINGS, endpoint: 'SIP/{number}' } });
    const rec = record({ campaignId: 'c4', channel_id: 'ch-4' });
    const mark = { channelId: 'ch-4', number: '+1555', attempt: 1, since: new Date().toISOString(), worker: 'w', state: 'dialing' as const };
    await store.markInflight('c4', mark);
    expect(await store.recordAttempt(rec)).toBe(true);
    expect(await store.inflight('c4')).toEqual([]);
    // A re-run job that read the mark before the takeover stored the result writes it again, then records too late.
    await store.markInflight('c4', { ...mark, worker: 'rerun' });
    expect(await store.recordAttempt(rec)).toBe(false);
    expect(await store.inflight('c4')).toEqual([]);
  });

  it('keeps a witnessed end only while its call is in flight: the stored result deletes it, a later one is refused', async () => {
    await store.create({ id: 'c5', name: 'c5', settings: { ...DEFAULT_SETTINGS, endpoint: 'SIP/{number}' } });
    const seen = { cause: 16, cause_txt: 'Normal Clearing', endedAt: Date.now(), stasisFailed: false, app: 'peer' };
    const mark = (channelId: string) => ({ channelId, number: '+1555', attempt: 1, since: new Date().toISOString(), worker: 'w', state: 'dialing' as const });
    // 200 calls end with a witness each, their results stored after: nothing of them is left.
    for (let i = 0; i < 200; i++) {
      await store.markInflight('c5', mark(`w-${i}`));
      expect(await keepWitnessedEnd(redis, store.keys, 'c5', `w-${i}`, seen)).toBe(true);
      await store.recordAttempt(record({ campaignId: 'c5', channel_id: `w-${i}`, number: `+1555${i}` }));
    }
    expect(await redis.exists(store.keys.witnessed('c5'))).toBe(0);
    // The peer saw the end after the owner stored the result: not kept.
    expect(await keepWitnessedEnd(redis, store.keys, 'c5', 'w-0', seen)).toBe(false);
    // A call still in flight keeps its witness for whoever settles it; a re-run's stale record deletes it too.
    await store.markInflight('c5', mark('w-live'));
    await keepWitnessedEnd(redis, store.keys, 'c5', 'w-live', seen);
    expect(await redis.hlen(store.keys.witnessed('c5'))).toBe(1);
    await store.recordAttempt(record({ campaignId: 'c5', channel_id: 'w-live' }));
    await store.markInflight('c5', mark('w-live'));
    await keepWitnessedEnd(redis, store.keys, 'c5', 'w-live', seen);
    expect(await store.recordAttempt(record({ campaignId: 'c5', channel_id: 'w-live' }))).toBe(false);
    expect(await redis.exists(store.keys.witnessed('c5'), store.keys.inflight('c5'))).toBe(0);
  });

  it('history in PostgreSQL: a final with nothing left to do is stored as its settled marker at once, counted once', async () => {
    await store.create({ id: 'c6', name: 'c6', settings: { ...DEFAULT_SETTINGS, endpoint: 'SIP/{number}' }, history: 'pg' });
    await store.addImportCounts('c6', { total: 2 });
    await store.settle('c6', 'importing');
    const rec = record({ campaignId: 'c6', channel_id: 'ch-6', final: true, disposition: 'ANSWERED', answered: true });
    expect(await store.recordAttempt(rec, { settled: true })).toBe(true);
    expect(await store.attemptByChannel('c6', 'ch-6')).toEqual({ settled: true, disposition: 'ANSWERED', final: true });
    expect(await store.recordAttempt(rec, { settled: true })).toBe(false);
    // Without `settled` the record waits for its job's next step (a webhook), as before.
    const other = record({ campaignId: 'c6', channel_id: 'ch-7', number: '+1777', final: true });
    expect(await store.recordAttempt(other)).toBe(true);
    expect((await store.attemptByChannel('c6', 'ch-7'))?.channel_id).toBe('ch-7');
    // The outbox is the campaign's own list; the attempts total is the sum of the per-disposition counts.
    expect(await store.outboxCount('c6')).toBe(2);
    expect(await store.counters('c6')).toMatchObject({ attempts: 2, done: 2, attempt: { ANSWERED: 1, BUSY: 1 } });
    expect(await redis.hget(store.keys.counters('c6'), 'attempts')).toBeNull();
    expect((await store.get('c6'))!.state).toBe('finished');
  });
});

describe('ActivityNotices', () => {
  it('coalesces a burst of per-call notes into one message per campaign per interval', async () => {
    const sent: Array<{ id: string; calls: number }> = [];
    const notices = new ActivityNotices(async (e) => void sent.push(e), 50);
    for (let i = 0; i < 500; i++) notices.note(i % 2 ? 'a' : 'b');
    expect(sent).toEqual([]);
    await new Promise((r) => setTimeout(r, 80));
    expect(sent.sort((x, y) => x.id.localeCompare(y.id))).toEqual([
      { type: 'activity', id: 'a', calls: 250 },
      { type: 'activity', id: 'b', calls: 250 },
    ]);
    notices.note('a');
    await new Promise((r) => setTimeout(r, 80));
    expect(sent).toHaveLength(3);
  });
});
