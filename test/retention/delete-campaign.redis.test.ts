import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CampaignService } from '../../src/campaign/campaign-service.js';
import { campaignFootprint, deleteCampaign } from '../../src/campaign/retention/delete-campaign.js';
import { CampaignActiveError } from '../../src/errors.js';
import type { DeletableHistory } from '../../src/store/deletable-history.js';
import { keyFootprint } from '../../src/store/key-footprint.js';
import { testPrefix, waitUntil } from '../helpers/redis-test.js';
import { startCampaignRig, type CampaignRig } from '../helpers/campaign-rig.js';

const csvOf = (numbers: string[]) => () => Readable.from([`number,name\n${numbers.map((n, i) => `${n},N${i}`).join('\n')}\n`]);
const numbersFrom = (start: number, n: number) => Array.from({ length: n }, (_, i) => `+1555${String(start + i).padStart(7, '0')}`);

/** Pinned to an Asterisk no worker here serves: it stays queued, so what these tests see cannot race a call. */
const PINNED_ELSEWHERE = { endpoint: 'SIP/trunk/{number}', asterisks: 'elsewhere' };

let redis: Redis;
let svc: CampaignService;
let hooks: Server;
let hookUrl: string;
const prefix = testPrefix('delete');

let rig: CampaignRig;

beforeAll(async () => {
  rig = await startCampaignRig(prefix, { webhookAllowHosts: ['127.0.0.1'], worker: { channelCap: 200 } });
  ({ redis, svc } = rig);
  hooks = createServer((req, res) => req.resume().on('end', () => res.end('ok')));
  await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/hook`;
});

afterAll(async () => {
  await rig.close();
  await new Promise((r) => hooks.close(r));
});

/** Redis bytes of every key under the test's prefix (the whole installation). */
const installationBytes = async () => keyFootprint(redis, { starts: [prefix], list: true });

describe('campaign delete', () => {
  it('frees every Redis key of a finished campaign (results, attempts, counters, both BullMQ queues, search index)', async () => {
    const before = await installationBytes();
    const numbers = numbersFrom(200_000, 400);
    const r = await svc.create({
      name: 'to delete',
      settings: {
        endpoint: 'SIP/trunk/{number}',
        cps: 400,
        maxConcurrent: 100,
        timeoutS: 5,
        retry: 'busy=1@20ms',
        webhook: { url: hookUrl, ratePerSecond: 2000 },
      },
      open: csvOf(numbers),
    });
    const id = r.id!;
    await waitUntil(
      'finished with every webhook delivered',
      async () => {
        const s = await svc.status(id);
        return s.state === 'finished' && s.counters.webhookDelivered === s.counters.done;
      },
      60_000,
    );
    const own = await campaignFootprint(svc, id);
    const withIt = await installationBytes();
    expect(own.keys).toBeGreaterThan(10);
    expect((await svc.search(numbers[0]!)).map((r) => r.campaignId)).toEqual([id]);

    const result = await deleteCampaign(svc, id);
    expect(result).toMatchObject({ id, state: 'finished', cancelled: false, history: { deleted: false } });
    const after = await campaignFootprint(svc, id, true);
    const left = await installationBytes();
    process.stdout.write(
      `delete figures: campaign of ${numbers.length} numbers held ${own.keys} keys, ${own.bytes} bytes (${Math.round(own.bytes / numbers.length)} B/number); ` +
        `after delete ${after.keys} keys, ${after.bytes} bytes; installation ${before.bytes} B before create, ${withIt.bytes} B with it, ${left.bytes} B after delete; ` +
        `keys left: ${left.list!.map((k) => `${k.key.slice(prefix.length)} (${k.bytes} B)`).join(', ') || 'none'}\n`,
    );
    expect(after).toMatchObject({ keys: 0, bytes: 0 });
    expect(await svc.search(numbers[0]!)).toEqual([]);
    expect(await svc.store.ids()).not.toContain(id);
    await expect(svc.get(id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // What stays is not the campaign's: worker heartbeats and registry, witnessed call ends (with a TTL).
    for (const k of left.list!) expect(k.key.slice(prefix.length)).toMatch(/^:(workers|alive:|witnessed:|retention-lock)/);
  });

  it('refuses a campaign that still dials, naming why; --force cancels it and deletes it', async () => {
    const r = await svc.create({ name: 'still going', settings: PINNED_ELSEWHERE, open: csvOf(numbersFrom(300_000, 20)) });
    const id = r.id!;
    await svc.pause(id);
    const err = await deleteCampaign(svc, id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CampaignActiveError);
    expect((err as Error).message).toContain(`it is paused (cancel it first: ari-dialer campaign cancel ${id})`);
    expect((err as Error).message).toContain('--force');
    expect((await svc.get(id)).state).toBe('paused');

    const forced = await deleteCampaign(svc, id, { force: true });
    expect(forced).toMatchObject({ state: 'paused', cancelled: true });
    expect(await campaignFootprint(svc, id)).toMatchObject({ keys: 0 });
  });

  it('deletes the history through the store given, before Redis: a failing history store leaves Redis untouched', async () => {
    const r = await svc.create({ name: 'with history', settings: PINNED_ELSEWHERE, open: csvOf(numbersFrom(400_000, 3)) });
    const id = r.id!;
    await svc.cancel(id);
    const broken: DeletableHistory = { deleteCampaign: async () => Promise.reject(new Error('database is down')) };
    await expect(deleteCampaign(svc, id, { history: broken })).rejects.toThrow('database is down');
    expect((await svc.get(id)).state).toBe('cancelled');

    const asked: string[] = [];
    const history: DeletableHistory = {
      deleteCampaign: async (cid) => {
        asked.push(cid);
        return { attempts: 7 };
      },
    };
    expect(await deleteCampaign(svc, id, { history })).toMatchObject({ history: { deleted: true, attempts: 7 } });
    expect(asked).toEqual([id]);
    expect(await campaignFootprint(svc, id)).toMatchObject({ keys: 0 });
  });

  it('a result arriving after the delete (a call that outlived a forced delete) brings no key back', async () => {
    const r = await svc.create({ name: 'late', settings: PINNED_ELSEWHERE, open: csvOf(numbersFrom(500_000, 1)) });
    const id = r.id!;
    await svc.cancel(id);
    await deleteCampaign(svc, id);
    const rec = {
      campaignId: id,
      number: '+15550500000',
      channel_id: 'late-1',
      disposition: 'ANSWERED',
      final: true,
      answered: true,
      ended_at: new Date().toISOString(),
    };
    expect(await svc.store.recordAttempt(rec as never)).toBe(false);
    expect(await campaignFootprint(svc, id)).toMatchObject({ keys: 0 });
  });
});
