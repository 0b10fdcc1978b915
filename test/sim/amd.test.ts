import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simAmdRun, simAmdStatus, simAmdTunables } from '../../src/sim/amd-model.js';
import { AriSim } from '../../src/sim/index.js';
import { rest } from './sim-client.js';

describe('simulated AMD: the documented rule', () => {
  it('decides by rule, keyword, then the last digit (4 is a machine)', () => {
    expect(simAmdStatus('SIP/trunk/5550104')).toBe('MACHINE');
    expect(simAmdStatus('SIP/trunk/5550101')).toBe('HUMAN');
    expect(simAmdStatus('Local/machine@sim')).toBe('MACHINE');
    expect(simAmdStatus('SIP/trunk/notsure4')).toBe('NOTSURE');
    expect(simAmdStatus('SIP/trunk/5550104', 'HUMAN')).toBe('HUMAN');
  });

  it("times and causes follow AMD()'s arguments, app_amd.c defaults for empty ones", () => {
    const dflt = simAmdTunables('');
    expect(simAmdRun('HUMAN', dflt)).toEqual({ status: 'HUMAN', cause: 'HUMAN-800-800', ms: 1300 });
    expect(simAmdRun('MACHINE', dflt)).toEqual({ status: 'MACHINE', cause: 'LONGGREETING-1500-1500', ms: 1700 });
    expect(simAmdRun('NOTSURE', simAmdTunables('3000,2000,800,4000'))).toEqual({ status: 'NOTSURE', cause: 'TOOLONG-4000', ms: 4000 });
    expect(simAmdRun('MACHINE', simAmdTunables(',2500'))).toMatchObject({ cause: 'LONGGREETING-2500-2500' });
  });
});

describe('GET /asterisk/modules/{moduleName}', () => {
  let sim: AriSim;
  let bare: AriSim;
  beforeAll(async () => {
    sim = await AriSim.start();
    bare = await AriSim.start({ missingModules: ['app_amd.so'] });
  });
  afterAll(async () => {
    await sim.stop();
    await bare.stop();
  });

  it('answers the Module model for a loaded module, as resource_asterisk.c does', async () => {
    const a = await rest(sim.url, 'GET', '/asterisk/modules/app_amd.so');
    expect(a.status).toBe(200);
    expect(a.body).toEqual({
      name: 'app_amd.so',
      description: 'Answering Machine Detection Application',
      use_count: 0,
      status: 'Running',
      support_level: 'extended',
    });
    // Found by its base name (loader.c), but the details need the exact resource name.
    expect((await rest(sim.url, 'GET', '/asterisk/modules/app_amd')).status).toBe(409);
    const list = await rest(sim.url, 'GET', '/asterisk/modules');
    expect((list.body as { name: string }[]).map((m) => m.name)).toContain('app_amd.so');
  });

  it('404 for a module that is not loaded', async () => {
    const a = await rest(bare.url, 'GET', '/asterisk/modules/app_amd.so');
    expect(a).toMatchObject({ status: 404, body: { message: 'Module could not be found in running modules' } });
  });
});
