import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AriSim } from '../../src/sim/index.js';

const DIAL = fileURLToPath(new URL('../../bin/dial.js', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function dial(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [DIAL, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? 99) : 0;
      resolve({ code: typeof code === 'number' ? code : 99, stdout, stderr });
    });
  });
}

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

  it('an endpoint Asterisk cannot allocate: exit 3 with Asterisk\'s message', async () => {
    // Motif is a real technology name, but this Asterisk (the simulator) has no driver loaded for it.
    const r = await dial(['Motif/nobody', '1', 'default', 's', '1', '5'], ari());
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'error', disposition: 'ERROR', message: 'Allocation failed', http_status: 500 });
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
    [['Foo/bar', '1', 'default', 's', '1', '60'], /unknown channel technology "Foo"/],
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

  it('-h prints the seed\'s usage', async () => {
    const r = await dial(['-h']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/endpoint\s+Endpoint, e\.g\. SIP\/operator/);
    expect(r.stdout).toMatch(/timeout\s+Originate timeout/);
  });
});
