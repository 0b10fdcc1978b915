import { Readable } from 'node:stream';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CampaignService } from '../../src/campaign/campaign-service.js';
import { startDashboard, type Dashboard } from '../../src/dashboard/server.js';
import { deleteKeys, newService, REDIS_URL, testPrefix } from '../dashboard/harness.js';

const OPERATOR = 'op-token-0123456789abcdef';
const VIEWER = 'view-token-0123456789abcdef';

let prefix: string;
let redis: Redis;
let service: CampaignService;
let dash: Dashboard;

beforeAll(async () => {
  prefix = testPrefix();
  ({ redis, service } = newService(prefix));
  dash = await startDashboard({ service, redisUrl: REDIS_URL, port: 0, operatorToken: OPERATOR, viewerToken: VIEWER });
});

afterAll(async () => {
  await dash.close();
  await service.close();
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

const del = (path: string, token: string) => fetch(`${dash.url}${path}`, { method: 'DELETE', headers: { Authorization: `Bearer ${token}` } });
const errorCode = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;

async function campaign(name: string, cancel = true): Promise<string> {
  const c = await service.create({ name, settings: { endpoint: 'SIP/trunk/{number}', cps: 50 }, open: () => Readable.from(['number\n4930200\n4930201\n']) });
  if (cancel) await service.cancel(c.id!);
  return c.id!;
}

describe('DELETE /api/campaigns/:id', () => {
  it('is for operators only: a viewer gets 403 and the campaign stays', async () => {
    const id = await campaign('viewer tries');
    const res = await del(`/api/campaigns/${id}?confirm=${id}`, VIEWER);
    expect(res.status).toBe(403);
    expect((await errorCode(res)).message).toContain('deleting a campaign needs the operator role');
    expect((await service.get(id)).state).toBe('cancelled');
  });

  it('needs the id repeated in ?confirm=', async () => {
    const id = await campaign('unconfirmed');
    for (const q of ['', '?confirm=', '?confirm=someone-else']) {
      const res = await del(`/api/campaigns/${id}${q}`, OPERATOR);
      expect(res.status, q).toBe(400);
      expect((await errorCode(res)).message).toContain('confirm: must repeat the campaign id');
    }
    expect((await service.get(id)).state).toBe('cancelled');
  });

  it('deletes a cancelled campaign; the list and its page no longer know it', async () => {
    const id = await campaign('goes');
    const res = await del(`/api/campaigns/${id}?confirm=${id}`, OPERATOR);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ deleted: { id, state: 'cancelled', history: { deleted: false } } });
    expect((await fetch(`${dash.url}/api/campaigns/${id}`, { headers: { Authorization: `Bearer ${OPERATOR}` } })).status).toBe(404);
    const list = (await (await fetch(`${dash.url}/api/campaigns`, { headers: { Authorization: `Bearer ${OPERATOR}` } })).json()) as {
      campaigns: Array<{ id: string }>;
    };
    expect(list.campaigns.map((c) => c.id)).not.toContain(id);
  });

  it('answers 409 for a campaign that still dials (with the reason), deletes it with force=1', async () => {
    const id = await campaign('running', false);
    await service.pause(id);
    const res = await del(`/api/campaigns/${id}?confirm=${id}`, OPERATOR);
    expect(res.status).toBe(409);
    const err = await errorCode(res);
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toContain('it is paused');
    expect((await del(`/api/campaigns/${id}?confirm=${id}&force=1`, OPERATOR)).status).toBe(200);
    await expect(service.get(id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses history=1 when no history store is configured', async () => {
    const id = await campaign('no history');
    const res = await del(`/api/campaigns/${id}?confirm=${id}&history=1`, OPERATOR);
    expect(res.status).toBe(400);
    expect((await errorCode(res)).message).toContain('no history store is configured');
    expect((await service.get(id)).state).toBe('cancelled');
  });
});
