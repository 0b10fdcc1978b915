import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AriSim } from '../../src/sim/index.js';
import { dial } from '../helpers/dial-cli.js';

let sim: AriSim;
beforeAll(async () => {
  sim = await AriSim.start({ users: { dialer: 'secret-pass' }, timeScale: 0.01 });
});
afterAll(() => sim.stop());

const ari = () => ({ ARI_URL: sim.url, ARI_USER: 'dialer', ARI_PASSWORD: 'secret-pass' });

describe('the dial CLI as a child process', () => {
  it('answered: one JSON object on stdout, exit 0', async () => {
    const r = await dial(['SIP/operator', '11111', 'default', 's', '1', '60'], ari());
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ status: 'success', disposition: 'ANSWERED', message: 'Normal Clearing (16)', endpoint: 'SIP/operator', callerid: '11111' });
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('--amd: a person goes on to the destination, a machine is hung up; both carry the verdict', async () => {
    const human = await dial(['SIP/trunk/5550101', '11111', 'default', 's', '1', '60', '--amd'], ari());
    expect(human.code).toBe(0);
    expect(JSON.parse(human.stdout)).toMatchObject({ disposition: 'ANSWERED', continued: true, amd_status: 'HUMAN', amd_cause: 'HUMAN-800-800' });
    const machine = await dial(['SIP/trunk/5550104', '11111', 'default', 's', '1', '60', '--amd', '--amd-greeting', '2500'], ari());
    expect(machine.code).toBe(0);
    const m = JSON.parse(machine.stdout);
    expect(m).toMatchObject({ disposition: 'ANSWERED', continued: false, amd_status: 'MACHINE', amd_cause: 'LONGGREETING-2500-2500' });
    expect(m.amd_ms).toBeGreaterThan(0);
    const drop = await dial(['SIP/trunk/machine', '1', 'default', 's', '1', '60', '--amd', '--on-machine', 'vm-drop,s,1'], ari());
    expect(JSON.parse(drop.stdout)).toMatchObject({ amd_status: 'MACHINE', continued: true });
  });

  it('--amd flags are checked: named in the message, exit 2', async () => {
    const bad = await dial(['SIP/trunk/1', '1', 'default', 's', '1', '60', '--amd', '--amd-max-words', 'many'], ari());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--amd-max-words: must be a whole number/);
    const without = await dial(['SIP/trunk/1', '1', 'default', 's', '1', '60', '--amd-greeting', '2000'], ari());
    expect(without.code).toBe(2);
    expect(without.stderr).toMatch(/--amd-greeting: needs --amd/);
  });

  it('busy: exit 1 with User busy (17)', async () => {
    const r = await dial(['SIP/operator/busy', '11111', 'default', 's', '1', '60'], ari());
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ disposition: 'BUSY', message: 'User busy (17)' });
  });

  it('--sim needs no Asterisk', async () => {
    const r = await dial(['SIP/trunk/5550006', '1', 'default', 's', '1', '5', '--sim', '--time-scale', '0.01', '--pretty']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).disposition).toBe('BUSY');
    expect(r.stdout).toContain('\n  "status"');
  });

  it("an endpoint Asterisk cannot allocate: exit 3 with Asterisk's message", async () => {
    // Motif is a real technology name, but this Asterisk (the simulator) has no driver loaded for it.
    const r = await dial(['Motif/nobody', '1', 'default', 's', '1', '5'], ari());
    expect(r.code).toBe(3);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ status: 'error', disposition: 'ERROR', http_status: 500 });
    expect(result.message).toMatch(/^Asterisk could not allocate a channel for Motif\/nobody \(Asterisk said: Allocation failed\)/);
  });

  it('a network failure is not answered: exit 1', async () => {
    const r = await dial(['SIP/operator/fail', '1', 'default', 's', '1', '5'], ari());
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'success', disposition: 'FAILED', cause: 38 });
  });

  it.each([
    [['SIP/operator', '1', 'default', 's', 'one', '60'], /priority: must be a whole number/],
    [['SIP/operator', '1', 'default', 's', '1', 'sixty'], /timeout: must be a whole number/],
    [['SIP/operator', '1', 'default', 's', '1', '0'], /timeout: must be at least 1/],
    [['SIP/operator', '1', 'default', 's', '1', '-5'], /timeout: must be at least 1/],
    [['Foo bar/1001', '1', 'default', 's', '1', '60'], /^dial: endpoint: the channel technology "Foo bar" may hold only letters/m],
    [['SIP/operator', '1', 'default', 's', '1'], /missing required argument 'timeout'/],
    [['SIP/operator', '1', 'default', 's', '1', '60', 'extra'], /unexpected extra argument "extra"/],
  ])('usage error %j → exit 2 naming it', async (args, message) => {
    const r = await dial(args, ari());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('wrong password: exit 3, names the user, never prints the password', async () => {
    const r = await dial(['SIP/operator', '1', 'default', 's', '1', '5'], { ...ari(), ARI_PASSWORD: 'wrong-one' });
    expect(r.code).toBe(3);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ status: 'error', disposition: 'ERROR' });
    expect(result.message).toMatch(/authentication failed for user dialer/);
    expect(r.stdout + r.stderr).not.toContain('wrong-one');
  });

  it('ARI unreachable: exit 3 naming the URL', async () => {
    const r = await dial(['SIP/operator', '1', 'default', 's', '1', '5'], { ARI_URL: 'http://127.0.0.1:1/ari', ARI_USER: 'u', ARI_PASSWORD: 'p' });
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout).message).toContain('http://127.0.0.1:1/ari');
  });

  it("-h prints the seed's usage", async () => {
    const r = await dial(['-h']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/endpoint\s+Endpoint, e\.g\. SIP\/operator/);
    expect(r.stdout).toMatch(/timeout\s+Originate timeout/);
  });
});

describe('dial: any channel technology Asterisk has loaded; the shape alone is checked before', () => {
  it('AudioSocket (loaded in a stock Asterisk 20): answered against --sim, exit 0', async () => {
    const endpoint = 'AudioSocket/127.0.0.1:9092/5f1c2a4e-8b0d-4c1e-9a7f-3d2b1c0e9f87';
    const r = await dial([endpoint, '1', 'default', 's', '1', '5', '--sim', '--time-scale', '0.01']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'success', disposition: 'ANSWERED', endpoint });
  });

  it('MulticastRTP: answered, exit 0', async () => {
    const r = await dial(['MulticastRTP/basic/239.0.0.1:5004', '1', 'default', 's', '1', '5'], ari());
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).disposition).toBe('ANSWERED');
  });

  it("Dongle (chan_dongle not loaded, as in a stock Asterisk): exit 3 with Asterisk's reason and what to check", async () => {
    const before = sim.stats.originates;
    const r = await dial(['Dongle/dongle0/+4930123456', '1', 'default', 's', '1', '5'], ari());
    expect(r.code, r.stderr).toBe(3);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ status: 'error', disposition: 'ERROR', http_status: 500, endpoint: 'Dongle/dongle0/+4930123456' });
    expect(result.message).toBe(
      'Asterisk could not allocate a channel for Dongle/dongle0/+4930123456 (Asterisk said: Allocation failed): check that the Dongle channel driver is loaded ("core show channeltypes") and that the endpoint exists (e.g. "pjsip show endpoints")',
    );
    expect(sim.stats.originates).toBe(before); // refused at allocation: never counted as placed
    expect(r.stdout + r.stderr).not.toContain('secret-pass');
  });

  it.each([
    ['a space in the technology', 'Dongle 0/x', /^dial: endpoint: the channel technology "Dongle 0" may hold only letters, digits, _ and -/m],
    [
      'a space in the resource',
      'PJSIP/1001 @trunk',
      /^dial: endpoint: the resource after "PJSIP\/" must not contain whitespace or control characters, got "PJSIP\/1001 @trunk"$/m,
    ],
    [
      'a control character',
      'PJSIP/1001\u0007',
      /^dial: endpoint: the resource after "PJSIP\/" must not contain whitespace or control characters, got "PJSIP\/1001\\u0007"$/m,
    ],
    ['no technology', '/1001', /^dial: endpoint: must look like TECH\/resource/m],
  ])('a shape error (%s): exit 2 naming the argument, nothing dialed', async (_name, endpoint, message) => {
    const before = sim.stats.originates;
    const r = await dial([endpoint, '1', 'default', 's', '1', '5'], ari());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
    expect(sim.stats.originates).toBe(before);
  });
});
