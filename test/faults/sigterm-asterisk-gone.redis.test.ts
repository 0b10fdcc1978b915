import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { Rig } from './harness.js';
import { attemptsOf, busyCampaign, expectWithinBound, GRACE_S, logLines, sigterm } from './sigterm-rig.js';

let rig: Rig;
beforeAll(async () => {
  rig = await Rig.start('sigterm-ast');
});
afterAll(() => rig.close());

describe('fault: SIGTERM on a worker whose Asterisk is gone', () => {
  it('exits within the grace + 10 s; each call it could not hang up ends UNKNOWN "Asterisk unreachable during shutdown" with what was last known', async () => {
    const worker = await rig.spawnWorker('cli', ['--grace', String(GRACE_S)]);
    const { id } = await busyCampaign(rig, 'sigterm-ast', 161);
    const live = rig.sim.liveChannels();
    const lastSeen = new Map(live.map((c) => [c.id, c.state === 'Up' ? 'answered' : c.state === 'Ringing' ? 'ringing' : 'dialing']));
    // The simulator goes away as a killed Asterisk does: every socket reset, the port closed.
    await rig.sim.stop();
    await new Promise((r) => setTimeout(r, 300));
    const m = await sigterm(worker);
    expectWithinBound('asterisk gone', m, worker);
    expect(m.code, worker.stderr().slice(-3000)).toBe(EXIT.SHUTDOWN_CALLS_UNKNOWN);

    // Redis works: every call that was up on Asterisk has its attempt, honest about what is not known.
    const attempts = await attemptsOf(rig, id);
    const unknown = [...lastSeen.keys()].map((c) => attempts.get(c));
    expect(unknown.filter((r) => r === undefined).length, 'calls live at the kill without a stored attempt').toBe(0);
    for (const r of unknown) {
      expect(r!.disposition, `${r!.channel_id}: ${r!.reason}`).toBe('UNKNOWN');
      expect(r!.reason).toMatch(/^Asterisk unreachable during shutdown/);
      expect(r!.last_state, r!.channel_id).toBe(lastSeen.get(r!.channel_id));
      expect(r!.reason).toContain(`last seen ${r!.last_state}`);
    }
    expect((await rig.svc.status(id)).counters.inflight, 'in-flight marks left behind').toBe(0);
    const drained = logLines(worker, 'worker stopped');
    expect(drained[0], 'the closing line says what was left').toMatchObject({ unknown: lastSeen.size, notStored: 0 });
    expect(logLines(worker, 'draining:').length, 'the drain says what it waits for').toBeGreaterThan(0);
  });
});
