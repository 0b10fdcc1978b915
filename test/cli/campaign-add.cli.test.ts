import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CampaignService } from '../../src/campaign/campaign-service.js';
import { dropPrefix, REDIS_URL, testPrefix, testRedis } from '../helpers/redis-test.js';
import { ARI_DIALER, runCli } from '../helpers/run-cli.js';

/** `ari-dialer campaign add ID --csv more.csv` on a campaign kept in Redis (no DATABASE_URL). */
const prefix = testPrefix('cli-add');
const env = { REDIS_URL, DIALER_PREFIX: prefix };

const run = (args: string[]) => runCli(ARI_DIALER, args, env);

let dir: string;
let redis: Redis;
let svc: CampaignService;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ari-dialer-add-'));
  redis = testRedis();
  svc = new CampaignService({ redis, prefix });
});
afterAll(async () => {
  await svc.close();
  await dropPrefix(redis, prefix);
  redis.disconnect();
  await rm(dir, { recursive: true, force: true });
});

describe('ari-dialer campaign add', () => {
  it('adds new numbers only (deduplicated against the campaign), rejects a file with a bad line naming it, refuses a cancelled campaign', async () => {
    const first = join(dir, 'first.csv');
    await writeFile(first, 'number\n+12125550111\n+12125550112\n');
    const created = await run(['campaign', 'create', '--csv', first, '--endpoint', 'SIP/trunk/{number}', '--start-at', '2030-01-01T00:00:00Z']);
    expect(created.code).toBe(0);
    const id = created.stdout.trim();

    const bad = join(dir, 'bad.csv');
    await writeFile(bad, 'number\n+12125550113\nnope\n');
    const rejected = await run(['campaign', 'add', id, '--csv', bad]);
    expect(rejected.code).toBe(2);
    expect(rejected.stderr).toMatch(/nothing was added/);
    expect(rejected.stderr).toMatch(/line 3/);
    expect((await svc.store.counters(id)).total).toBe(2);

    const more = join(dir, 'more.csv');
    await writeFile(more, 'number\n+12125550112\n+12125550113\n+12125550114\n');
    const added = await run(['campaign', 'add', id, '--csv', more, '--json']);
    expect(added.code).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ id, stored: true, rows: 3, accepted: 2, duplicates: 1 });
    expect((await svc.store.counters(id)).total).toBe(4);
    expect((await svc.queueCounts(id)).delayed + (await svc.queueCounts(id)).waiting).toBe(4);

    await svc.cancel(id);
    const late = await run(['campaign', 'add', id, '--csv', more]);
    expect(late.code).toBe(2);
    expect(late.stderr).toMatch(/cancelled; it takes no more numbers/);
  });
});
