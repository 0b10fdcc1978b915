import { Readable } from 'node:stream';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CampaignService } from '../../src/campaign/campaign-service.js';
import { CampaignWorker } from '../../jobs/campaign-worker.js';
import { AriSim } from '../../src/sim/index.js';
import { dropPrefix, REDIS_URL, testPrefix, testRedis, waitUntil } from '../helpers/redis-test.js';

let redis: Redis;
let svc: CampaignService;
const prefix = testPrefix('endpoint-cells');
const settings = { endpoint: 'PJSIP/{number}@{trunk}', cps: 200, maxConcurrent: 50, timeoutS: 5, retry: 'none' };
const from = (data: string) => () => Readable.from([Buffer.from(data)]);

beforeAll(() => {
  redis = testRedis();
  svc = new CampaignService({ redis, prefix });
});

afterAll(async () => {
  await svc.close();
  await dropPrefix(redis, prefix);
  redis.disconnect();
});

const mixed = [
  'number,trunk,note',
  '+15550101,pstn-1,call @ 5pm / ask for Ann',
  '+15550102,evil@10.0.0.1:5060,x',
  '+15550103,a/b,x',
  '+15550104,pstn-2,x',
].join('\n');

describe('a spreadsheet cell cannot add a host or a destination to the endpoint', () => {
  it('one bad placeholder cell rejects the upload: every bad line with its column, nothing enqueued', async () => {
    const before = await svc.store.ids();
    const r = await svc.create({ name: 'evil-trunk', settings, open: from(mixed) });
    expect(r.created).toBe(false);
    expect(r.errors).toEqual([
      {
        line: 3,
        reason: expect.stringMatching(
          /^column 2 \(trunk, used as \{trunk\} in the endpoint\): "evil@10\.0\.0\.1:5060" may hold only letters, digits and _ \. \+ -/,
        ),
      },
      { line: 4, reason: expect.stringMatching(/^column 2 \(trunk, used as \{trunk\} in the endpoint\): "a\/b" may hold only/) },
    ]);
    expect(await svc.store.ids()).toEqual(before);
  });

  it('--skip-invalid takes the good rows; they render to the trunk they name', async () => {
    const rejected: number[] = [];
    const r = await svc.create({ name: 'good-trunks', settings, open: from(mixed), skipInvalid: true, onRejected: (e) => rejected.push(e.line) });
    expect(r).toMatchObject({ created: true, accepted: 2, rejected: 2 });
    expect(rejected).toEqual([3, 4]);
    const job = await svc.dialQueue(r.id!).getJob(`${r.id}|+15550101|a1`);
    expect(job?.data.vars).toEqual({ trunk: 'pstn-1', note: 'call @ 5pm / ask for Ann' });
    await svc.cancel(r.id!);
  });

  it('campaign creation accepts any well-shaped technology, and names a bad shape', async () => {
    const r = await svc.create({ name: 'dongle', settings: { ...settings, endpoint: 'Dongle/dongle0/{number}' }, open: from('number\n+15550201\n') });
    expect(r).toMatchObject({ created: true, accepted: 1 });
    await svc.cancel(r.id!);
    await expect(svc.preview({ settings: { ...settings, endpoint: 'PJSIP/{number} @trunk' }, open: from('number\n+15550201\n') })).rejects.toThrow(
      /endpoint: the resource after "PJSIP\/" must not contain whitespace/,
    );
  });
});

describe('the cap on columns that become channel variables', () => {
  const file = (vars: number) => {
    const names = Array.from({ length: vars }, (_, i) => `v${i + 1}`);
    return from(`number,${names.join(',')}\n+15550301,${names.join(',')}\n+15550302,${names.join(',')}\n`);
  };

  it('64 (the default) is accepted', async () => {
    const ok = await svc.create({ name: 'cap', settings: { ...settings, endpoint: 'PJSIP/{number}@pstn' }, open: file(64) });
    expect(ok).toMatchObject({ created: true, accepted: 2 });
    await svc.cancel(ok.id!);
  });

  it.each([false, true])('65 rejects the file, naming count, limit and how to raise it; nothing created (skipInvalid %s)', async (skipInvalid) => {
    const before = await svc.store.ids();
    const plain = { ...settings, endpoint: 'PJSIP/{number}@pstn' };
    await expect(svc.create({ name: 'over-cap', settings: plain, open: file(65), skipInvalid })).rejects.toMatchObject({
      code: 'BAD_CSV',
      message: expect.stringMatching(
        /^line 1: 65 columns would become channel variables, more than the limit of 64 .*raise the limit \(campaign create --max-channel-vars N/,
      ),
    });
    expect(await svc.store.ids()).toEqual(before);
  });

  it('maxChannelVars raises it', async () => {
    const r = await svc.create({ name: 'raised', settings: { ...settings, endpoint: 'PJSIP/{number}@pstn', maxChannelVars: 65 }, open: file(65) });
    expect(r).toMatchObject({ created: true, accepted: 2 });
    expect((await svc.get(r.id!)).settings.maxChannelVars).toBe(65);
    await svc.cancel(r.id!);
  });
});

describe('defense in depth: job data read back from Redis', () => {
  it('a placeholder value changed in Redis fails that job unrecoverably, naming the placeholder; nothing is dialed for it', async () => {
    const own = testPrefix('endpoint-cells-worker');
    const service = new CampaignService({ redis, prefix: own });
    const sim = await AriSim.start({ users: { dialer: 'pw' }, timeScale: 0.01 });
    const worker = new CampaignWorker({ redisUrl: REDIS_URL, prefix: own, ari: { url: sim.url, user: 'dialer', password: 'pw' }, pollMs: 100 });
    try {
      const r = await service.create({ name: 'tampered', settings, open: from('number,trunk\n+15550401,pstn-1\n+15550402,pstn-1\n') });
      expect(r.created).toBe(true);
      const job = await service.dialQueue(r.id!).getJob(`${r.id}|+15550402|a1`);
      await job!.updateData({ ...job!.data, vars: { trunk: 'evil@10.0.0.1:5060' } });
      await worker.start();
      await waitUntil('the tampered job failed', async () => (await service.dialQueue(r.id!).getJob(job!.id!))?.failedReason !== undefined, 20_000);
      const failed = await service.dialQueue(r.id!).getJob(job!.id!);
      expect(failed?.failedReason).toMatch(/^endpoint: placeholder \{trunk\}: "evil@10\.0\.0\.1:5060" may hold only/);
      expect(failed?.attemptsMade).toBe(1);
      await waitUntil('the good row dialed', () => sim.stats.originatesByEndpoint.get('PJSIP/+15550401@pstn-1') === 1, 20_000);
      expect([...sim.stats.originatesByEndpoint.keys()]).toEqual(['PJSIP/+15550401@pstn-1']);
    } finally {
      await worker.stop(500);
      await sim.stop();
      await service.close();
      await dropPrefix(redis, own);
    }
  });
});
