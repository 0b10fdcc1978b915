import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AriClient } from '../../src/ari/client.js';
import { AriEventStream } from '../../src/ari/event-stream.js';
import type { AriEvent } from '../../src/ari/types.generated.js';
import { runCall } from '../../src/dialer/call.js';
import type { CallParams } from '../../src/dialer/call-options.js';
import { oneOffChannelId } from '../../src/dialer/channel-id.js';
import { parseAmdOptions, type AmdOptions } from '../../src/dialer/amd/amd-options.js';
import type { AriSim } from '../../src/sim/index.js';
import { ENGINE_CREDS as creds, startEngineRig, type EngineRig } from '../helpers/engine-rig.js';

let rig: EngineRig;
let sim: AriSim;
let ari: AriClient;
let events: AriEventStream;

beforeAll(async () => {
  rig = await startEngineRig('amd-engine-test', { timeScale: 0.03, rules: [{ match: 'amd-hangs-up', outcome: 'answer', amd: 'HANGUP' }] });
  ({ sim, ari, events } = rig);
});

afterAll(() => rig.close());

/** Places one call with AMD and returns its result and every dialplan place the channel went through. */
async function call(endpoint: string, amd: AmdOptions = parseAmdOptions(true), extra: Partial<CallParams> = {}) {
  const channelId = oneOffChannelId();
  const places: string[] = [];
  const stasisArgs: string[][] = [];
  const off = events.onChannel(channelId, (ev: AriEvent) => {
    if (ev.type === 'ChannelDialplan' && ev.channel.id === channelId) places.push(`${ev.channel.dialplan.context},${ev.dialplan_app}`);
    if (ev.type === 'StasisStart') stasisArgs.push(ev.args);
  });
  const before = { continues: sim.stats.continues, rejected: sim.stats.rejectedContinues };
  try {
    const r = await runCall(
      { ari, events },
      { channelId, endpoint, callerId: '11111', context: 'default', extension: 's', priority: 1, timeoutS: 30, graceMs: 200, amd, ...extra },
    );
    return { r, places, stasisArgs, continues: sim.stats.continues - before.continues, rejected: sim.stats.rejectedContinues - before.rejected };
  } finally {
    off();
  }
}

describe('AMD against the simulator', () => {
  it('a person: into AMD, back to Stasis with HUMAN, then continued to the destination (each continue once)', async () => {
    const { r, places, stasisArgs, continues, rejected } = await call('SIP/trunk/5550101');
    expect(r).toMatchObject({ disposition: 'ANSWERED', answered: true, continued: true, amd_status: 'HUMAN', amd_cause: 'HUMAN-800-800' });
    expect(r.amd_ms).toBeGreaterThan(0);
    expect(stasisArgs).toEqual([[], ['amd', 'HUMAN', 'HUMAN-800-800']]);
    expect(places).toContain('ari-dialer-amd,AMD');
    expect(places).toContain('ari-dialer-amd,Stasis');
    expect(places.at(-1)?.startsWith('default,')).toBe(true);
    expect([continues, rejected]).toEqual([2, 0]);
  });

  it('a machine with --on-machine hangup: hung up in Stasis, never sent to the destination', async () => {
    const { r, places, continues } = await call('SIP/trunk/5550104');
    expect(r).toMatchObject({ disposition: 'ANSWERED', answered: true, continued: false, amd_status: 'MACHINE', amd_cause: 'LONGGREETING-2000-2000' });
    expect(places.some((p) => p.startsWith('default,'))).toBe(false);
    expect(continues).toBe(1);
  });

  it('a machine with a voicemail drop place: continued there', async () => {
    const amd = parseAmdOptions({ onMachine: 'voicemail-drop,s,1' });
    const { r, places, continues } = await call('Local/machine@sim', amd);
    expect(r).toMatchObject({ disposition: 'ANSWERED', continued: true, amd_status: 'MACHINE' });
    expect(places.at(-1)?.startsWith('voicemail-drop,')).toBe(true);
    expect(places.some((p) => p.startsWith('default,'))).toBe(false);
    expect(continues).toBe(2);
  });

  it('NOTSURE goes to the destination by default, to the machine place when told', async () => {
    const human = await call('SIP/trunk/notsure');
    expect(human.r).toMatchObject({ amd_status: 'NOTSURE', amd_cause: 'TOOLONG-5000', continued: true });
    expect(human.places.at(-1)?.startsWith('default,')).toBe(true);
    const machine = await call('SIP/trunk/notsure', parseAmdOptions({ notSureAs: 'machine', onMachine: 'hangup' }));
    expect(machine.r).toMatchObject({ amd_status: 'NOTSURE', continued: false });
  });

  it('passes the tunables through: AMD() gets them in its order, the verdict follows them', async () => {
    const { r, places } = await call('SIP/trunk/human', parseAmdOptions({ afterGreetingSilence: 1200, maximumNumberOfWords: 4 }));
    expect(r).toMatchObject({ amd_status: 'HUMAN', amd_cause: 'HUMAN-1200-1200' });
    expect(places).toContain('ari-dialer-amd,AMD');
  });

  it('a callee who hangs up during AMD: HANGUP from the ChannelVarset, no second Stasis entry', async () => {
    const { r, stasisArgs } = await call('SIP/trunk/amd-hangs-up');
    expect(r).toMatchObject({ disposition: 'ANSWERED', amd_status: 'HANGUP', amd_cause: '', continued: false });
    expect(stasisArgs).toHaveLength(1);
  });

  it('a call adopted from another app: ARIDIALER_APP is pointed at us before AMD, so the verdict comes back to us', async () => {
    const dead = new AriEventStream({ url: sim.url, ...creds, app: 'amd-dead-worker' });
    await dead.start();
    try {
      const channelId = oneOffChannelId();
      await ari.originate({
        endpoint: 'SIP/trunk/5550101',
        app: 'amd-dead-worker',
        callerId: '1',
        timeout: 30,
        channelId,
        variables: { ARIDIALER_AMD: '', ARIDIALER_APP: 'amd-dead-worker' },
      });
      for (let i = 0; (await ari.getChannel(channelId)).state !== 'Up'; i++) {
        if (i > 200) throw new Error('never answered');
        await new Promise((r) => setTimeout(r, 5));
      }
      const r = await runCall(
        { ari, events },
        {
          channelId,
          endpoint: 'SIP/trunk/5550101',
          callerId: '1',
          context: 'default',
          extension: 's',
          priority: 1,
          timeoutS: 30,
          resume: true,
          amd: parseAmdOptions(true),
        },
      );
      expect(r).toMatchObject({ disposition: 'ANSWERED', continued: true, amd_status: 'HUMAN' });
    } finally {
      await dead.close();
    }
  });

  it('without app_amd the call ends in the AMD context, and the result says why', async () => {
    const bare = await startEngineRig('amd-missing-test', { timeScale: 0.03, missingModules: ['app_amd.so'] });
    try {
      const r = await runCall(
        { ari: bare.ari, events: bare.events },
        {
          channelId: oneOffChannelId(),
          endpoint: 'SIP/trunk/5550101',
          callerId: '1',
          context: 'default',
          extension: 's',
          priority: 1,
          timeoutS: 30,
          amd: parseAmdOptions(true),
        },
      );
      expect(r.amd_status).toBeUndefined();
      expect(r.reason).toMatch(/no AMD verdict.*ari-dialer-amd/);
    } finally {
      await bare.close();
    }
  });
});
