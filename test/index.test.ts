import { describe, expect, it } from 'vitest';
import * as lib from '../src/index.js';

describe('the library entry point', () => {
  it('exports what an embedding program needs, and they work together', async () => {
    const sim = await lib.AriSim.start({ users: { u: 'p' }, timeScale: 0.01 });
    const ari = new lib.AriClient({ url: sim.url, user: 'u', password: 'p' });
    const events = new lib.AriEventStream({ url: sim.url, user: 'u', password: 'p', app: 'embedded' });
    await events.start();
    const r = await lib.runCall(
      { ari, events },
      { channelId: lib.oneOffChannelId(), endpoint: 'SIP/operator', callerId: '1', context: 'default', extension: 's', priority: 1, timeoutS: 30 },
    );
    expect(r.message).toBe(`${lib.causeText(16)} (16)`);
    await events.close();
    await ari.close();
    await sim.stop();
    for (const name of [
      'CampaignService',
      'CampaignWorker',
      'startDashboard',
      'runDoctor',
      'DialerMetrics',
      'verifySignature',
      'loadConfig',
      'parseAmdOptions',
    ]) {
      expect(typeof (lib as Record<string, unknown>)[name], name).toBe('function');
    }
  });
});
