import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordingSources } from '../../src/ari/recording-file.js';
import { deleteCampaign } from '../../src/campaign/retention/delete-campaign.js';
import { RetentionSweeper } from '../../src/campaign/retention/retention-sweeper.js';
import type { AttemptRecord } from '../../src/report/attempt-record.js';
import { startCampaignRig, type CampaignRig } from '../helpers/campaign-rig.js';
import { collect } from '../helpers/json-receiver.js';
import { REDIS_URL, testPrefix, waitUntil } from '../helpers/redis-test.js';
import { ARI_DIALER, runCli } from '../helpers/run-cli.js';

const prefix = testPrefix('recdel');
let rig: CampaignRig;
let sources: RecordingSources;
const onSim = () => rig.sim.recording.store;

beforeAll(async () => {
  rig = await startCampaignRig(prefix, {
    sim: { timeScale: 0.05, dialplanMs: 10_000, rules: [{ match: '555000', outcome: 'answer', ringMs: 200, talkMs: 10_000 }] },
  });
  sources = (name) => (name === 'default' ? { url: rig.sim.url, user: 'dialer', password: 'pw' } : undefined);
});
afterAll(() => rig.close());

async function recordedCampaign(numbers: string[], extra: Record<string, unknown> = {}): Promise<{ id: string; recs: AttemptRecord[] }> {
  const r = await rig.svc.create({
    name: 'del',
    settings: { endpoint: 'SIP/trunk/{number}', cps: 100, timeoutS: 5, retry: 'none', record: true, ...extra },
    open: () => Readable.from([`number\n${numbers.join('\n')}\n`]),
  });
  await waitUntil('campaign finished', async () => (await rig.svc.get(r.id!)).state === 'finished', 20_000);
  const recs = (await collect(rig.svc.attempts(r.id!))).filter((a) => a.recording?.state === 'done');
  expect(recs).toHaveLength(numbers.length);
  for (const a of recs) expect(onSim().has(a.recording!.name)).toBe(true);
  return { id: r.id!, recs };
}

const env = () => ({ REDIS_URL, DIALER_PREFIX: prefix, ARI_URL: rig.sim.url, ARI_USER: 'dialer', ARI_PASSWORD: 'pw' });

describe('deleting recordings', () => {
  it("campaign delete deletes the campaign's recordings on Asterisk", async () => {
    const { id, recs } = await recordedCampaign(['+15550001001', '+15550001002']);
    const r = await deleteCampaign(rig.svc, id, { recordings: sources });
    expect(r.recordings).toEqual({ deleted: 2, missing: 0, failed: [] });
    for (const a of recs) expect(onSim().has(a.recording!.name)).toBe(false);
  });

  it('one it cannot delete is reported, never blocks the delete, and the retention sweep deletes it later', async () => {
    const { id, recs } = await recordedCampaign(['+15550001003']);
    const name = recs[0]!.recording!.name;
    const r = await deleteCampaign(rig.svc, id, { recordings: () => undefined });
    expect(r.recordings.failed).toEqual([{ asterisk: 'default', name, reason: 'Asterisk "default" is not in this process\'s config file (asterisks)' }]);
    expect(await rig.svc.store.ids()).not.toContain(id);
    expect(onSim().has(name)).toBe(true);
    const pending = JSON.parse((await rig.redis.hget(rig.svc.keys.recordingsToDelete, `default/${name}`))!);
    expect(pending).toMatchObject({ campaignId: id, tries: 1 });
    // Retention off (0 days), recordings on: the sweep runs for them alone, under the retention lock.
    await rig.redis.del(rig.svc.keys.retentionLock);
    await new RetentionSweeper({ service: rig.svc, retentionDays: 0, owner: 't', recordings: sources }).sweep();
    expect(onSim().has(name)).toBe(false);
    expect(await rig.redis.hlen(rig.svc.keys.recordingsToDelete)).toBe(0);
  });

  it('recordKeepDays: the sweep deletes recordings older than that, once; younger ones stay', async () => {
    const { id, recs } = await recordedCampaign(['+15550001004'], { recordKeepDays: 2 });
    const name = recs[0]!.recording!.name;
    const sweepAt = async (days: number) => {
      await rig.redis.del(rig.svc.keys.retentionLock);
      await new RetentionSweeper({
        service: rig.svc,
        retentionDays: 0,
        owner: 't',
        recordings: sources,
        now: () => new Date(Date.now() + days * 86_400_000),
      }).sweep();
    };
    await sweepAt(1);
    expect(onSim().has(name)).toBe(true);
    await sweepAt(3);
    expect(onSim().has(name)).toBe(false);
    expect(await rig.redis.sismember(rig.svc.keys.recordingsDeleted(id), name)).toBe(1);
    // A sweep after that asks Asterisk nothing for it (a DELETE now would count as "missing" on the retry list).
    const before = rig.sim.stats.restRequests;
    await sweepAt(4);
    expect(rig.sim.stats.restRequests).toBe(before);
  });

  it('ari-dialer campaign recordings ID --out DIR downloads them all, named by number and attempt; campaign delete deletes them', async () => {
    const { id, recs } = await recordedCampaign(['+15550001005', '+15550001006']);
    const dir = await mkdtemp(join(tmpdir(), 'recs-'));
    try {
      const first = await runCli(ARI_DIALER, ['campaign', 'recordings', id, '--out', dir], env());
      expect(first.stderr).toContain('2 recording(s) downloaded');
      expect(first.code).toBe(0);
      expect((await readdir(dir)).sort()).toEqual(['+15550001005_a1.wav', '+15550001006_a1.wav']);
      const size = (await stat(join(dir, '+15550001005_a1.wav'))).size;
      expect(Math.abs((size - 44) / 16000 - recs.find((a) => a.number === '+15550001005')!.talk_s)).toBeLessThan(0.25);
      const again = await runCli(ARI_DIALER, ['campaign', 'recordings', id, '--out', dir], env());
      expect(again.stderr).toContain('0 recording(s) downloaded (0 bytes)');
      expect(again.stderr).toContain('2 already there');

      const del = await runCli(ARI_DIALER, ['campaign', 'delete', id], env());
      expect(del.code).toBe(0);
      expect(del.stdout).toContain('recordings: 2 deleted from Asterisk, 0 already gone, 0 not deleted');
      for (const a of recs) expect(onSim().has(a.recording!.name)).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
