import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AriClient } from '../../src/ari/client.js';
import { AriEventStream } from '../../src/ari/event-stream.js';
import type { AriEvent } from '../../src/ari/types.generated.js';
import { AriSim } from '../../src/sim/index.js';

let sim: AriSim;
let ari: AriClient;
let events: AriEventStream;

beforeAll(async () => {
  sim = await AriSim.start({ users: { u: 'p' }, timeScale: 0.01 });
  ari = new AriClient({ url: sim.url, user: 'u', password: 'p' });
  events = new AriEventStream({ url: sim.url, user: 'u', password: 'p', app: 'listeners-test' });
  await events.start();
});

afterAll(async () => {
  await events.close();
  await ari.close();
  await sim.stop();
});

const destroyed = (seen: AriEvent[]) => seen.some((e) => e.type === 'ChannelDestroyed');

describe('AriEventStream.onChannel', () => {
  it('two followers of one call both hear it (a takeover and a re-run job in one worker); unregistering one keeps the other', async () => {
    const a: AriEvent[] = [];
    const b: AriEvent[] = [];
    const c: AriEvent[] = [];
    const offA = events.onChannel('two-followers', (e) => a.push(e));
    const offB = events.onChannel('two-followers', (e) => b.push(e));
    const offC = events.onChannel('two-followers', (e) => c.push(e));
    offC();
    await ari.originate({ endpoint: 'SIP/operator/busy', app: events.app, channelId: 'two-followers' });
    for (let i = 0; i < 200 && !(destroyed(a) && destroyed(b)); i++) await new Promise((r) => setTimeout(r, 10));
    expect(destroyed(a)).toBe(true);
    expect(b.map((e) => e.type)).toEqual(a.map((e) => e.type));
    expect(c).toEqual([]);
    offA();
    expect(events.listenerCount).toBe(1);
    offB();
    expect(events.listenerCount).toBe(0);
  });
});
