import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { numbersFor, report, Rig } from './harness.js';
import { OwnRedis } from './own-redis.js';

let redis: OwnRedis;
let rig: Rig;
beforeAll(async () => {
  redis = await OwnRedis.start();
  rig = await Rig.start('redis-restart', {}, redis.url);
});
afterAll(async () => {
  await rig.close();
  await redis.stop();
});

describe('fault: Redis is killed (-9) and restarted mid-campaign, AOF on', () => {
  it('workers (in this process and a CLI child) wait, resume by themselves, and lose no result', async () => {
    const child = await rig.spawnWorker('cli');
    await rig.worker();
    const numbers = numbersFor(300, 104);
    const id = await rig.campaign('redis-restart', numbers);
    await rig.inFlight(100);
    const down = Date.now();
    await redis.kill9();
    // Calls go on ending on Asterisk while Redis is away; their results wait in the clients' offline queues.
    await new Promise((r) => setTimeout(r, 1500));
    await redis.restart();
    const up = Date.now();
    await rig.finished(id, 90_000);
    const a = await rig.expectClean(id, numbers);
    report('redis-restart', a);
    expect(a.unplacedAttempts).toBe(0);
    // Calls ended while Redis was down, and their results made it in once it was back.
    let endedWhileDown = 0;
    for await (const r of rig.svc.attempts(id)) {
      const t = Date.parse(r.ended_at);
      if (t > down && t < up) endedWhileDown++;
    }
    expect(endedWhileDown).toBeGreaterThan(20);
    expect(child.stderr()).toMatch(/redis connection error/);
    expect(child.child.exitCode, child.stderr().slice(-2000)).toBeNull();
  });
});
