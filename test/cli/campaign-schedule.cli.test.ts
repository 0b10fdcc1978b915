import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CampaignService } from '../../src/campaign/campaign-service.js';
import { dropPrefix, REDIS_URL, testPrefix, testRedis } from '../helpers/redis-test.js';
import { ARI_DIALER, runCli } from '../helpers/run-cli.js';

const prefix = testPrefix('cli-schedule');
const env = { REDIS_URL, DIALER_PREFIX: prefix };

const run = (args: string[]) => runCli(ARI_DIALER, args, env);

let dir: string;
let redis: Redis;
let svc: CampaignService;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ari-dialer-schedule-'));
  redis = testRedis();
  svc = new CampaignService({ redis, prefix });
});
afterAll(async () => {
  await svc.close();
  await dropPrefix(redis, prefix);
  redis.disconnect();
  await rm(dir, { recursive: true, force: true });
});

describe('ari-dialer campaign create --start-at/--end-at/--callerid-pool, and campaign schedule', () => {
  it('creates a waiting campaign with local-presence caller ids from a pool file; status says what holds it back; schedule edits it', async () => {
    const csv = join(dir, 'numbers.csv');
    await writeFile(csv, 'number\n+12125550111\n+14155550122\n+4930555013\n+447700900123\n');
    const pool = join(dir, 'pool.txt');
    await writeFile(pool, '# our numbers\n+12125550100\n+14155550100\n+4930901820\n');
    const noOffset = await run(['campaign', 'create', '--csv', csv, '--endpoint', 'SIP/trunk/{number}', '--start-at', '2026-12-01T09:00:00']);
    expect(noOffset.code).toBe(2);
    expect(noOffset.stderr).toMatch(/--start-at: must be an ISO time with a zone.*\(it has no offset: add Z or e\.g\. \+01:00\)/);
    const backwards = await run([
      'campaign',
      'create',
      '--csv',
      csv,
      '--endpoint',
      'SIP/trunk/{number}',
      '--start-at',
      '2030-01-02T00:00:00Z',
      '--end-at',
      '2030-01-01T00:00:00Z',
    ]);
    expect(backwards.code).toBe(2);
    expect(backwards.stderr).toMatch(/--end-at: must be after --start-at/);

    const startAt = new Date(Date.now() + 3_600_000).toISOString();
    const created = await run([
      'campaign',
      'create',
      '--csv',
      csv,
      '--endpoint',
      'SIP/trunk/{number}',
      '--callerid-pool',
      pool,
      '--start-at',
      startAt,
      '--name',
      'later',
    ]);
    expect(created.code, created.stderr).toBe(0);
    const id = created.stdout.trim();
    const jobs = await svc.dialQueue(id).getJobs(['waiting', 'delayed', 'paused', 'prioritized']);
    const callerIds = Object.fromEntries(jobs.map((j) => [j.data.number as string, j.data.callerId as string]));
    expect(callerIds['+12125550111']).toBe('+12125550100');
    expect(callerIds['+14155550122']).toBe('+14155550100');
    expect(callerIds['+4930555013']).toBe('+4930901820');
    // No shared country code: rotation over the whole pool.
    expect(['+12125550100', '+14155550100', '+4930901820']).toContain(callerIds['+447700900123']);

    const status = await run(['campaign', 'status', id]);
    expect(status.stdout).toContain(`  schedule: starts ${startAt}, ends never`);
    expect(status.stdout).toContain(`  held back by: schedule (starts at ${startAt}`);

    const endAt = new Date(Date.now() + 7_200_000).toISOString();
    const edited = await run(['campaign', 'schedule', id, '--start-at', 'none', '--end-at', endAt, '--json']);
    expect(edited.code, edited.stderr).toBe(0);
    expect(JSON.parse(edited.stdout)).toEqual({ id, startAt: null, endAt });
    const bad = await run(['campaign', 'schedule', id, '--end-at', 'friday']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--end-at: must be an ISO time with a zone/);
    await svc.cancel(id);
  }, 60_000);
});
