import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AriEventStream } from '../../src/ari/event-stream.js';
import { main } from '../../src/cli/main.js';
import { runDoctor, type DoctorOptions, type DoctorReport } from '../../src/ops/doctor.js';
import type { CheckId } from '../../src/ops/doctor-check.js';
import { renderDoctor } from '../../src/ops/render-doctor.js';
import { AriSim } from '../../src/sim/index.js';
import { REDIS_URL, testPrefix } from '../helpers/redis-test.js';
import { closedPort, startRedisServer } from './ops-helpers.js';

const prefix = testPrefix('doctor');
let sim: AriSim;
/** http.conf `prefix = asterisk`: ARI under /asterisk/ari. */
let prefixed: AriSim;
let downPort: number;

beforeAll(async () => {
  [sim, prefixed, downPort] = await Promise.all([
    AriSim.start({ users: { dialer: 'pw' }, timeScale: 0.01 }),
    AriSim.start({ users: { dialer: 'pw' }, timeScale: 0.01, prefix: 'asterisk' }),
    closedPort(),
  ]);
});
afterAll(async () => {
  await Promise.all([sim.stop(), prefixed.stop()]);
});

const origin = (s: AriSim) => `http://127.0.0.1:${s.port}`;

function doctor(o: Partial<DoctorOptions> & { url?: string; password?: string } = {}): Promise<DoctorReport> {
  const { url, password, ...rest } = o;
  return runDoctor({
    asterisks: [{ url: url ?? sim.url, user: 'dialer', password: password ?? 'pw' }],
    redisUrl: REDIS_URL,
    prefix,
    holdMs: 300,
    timeoutMs: 2000,
    ...rest,
  });
}

function byId(r: DoctorReport, id: CheckId) {
  const c = r.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no ${id} check in ${JSON.stringify(r.checks.map((x) => x.id))}`);
  return c;
}

/** The line the operator reads for a check: its symbol, title and detail. */
const lineOf = (r: DoctorReport, title: string) =>
  renderDoctor(r)
    .split('\n')
    .find((l) => l.slice(2).startsWith(title)) ?? '';

describe('doctor against a healthy simulator and Redis', () => {
  it('passes every check, test call included, and says so', async () => {
    const r = await doctor({ probe: { endpoint: 'SIP/operator', timeoutS: 5 } });
    expect(r.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(r.ok).toBe(true);
    for (const id of [
      'ari.reachable',
      'ari.auth',
      'ari.version',
      'ari.app',
      'ari.websocket',
      'ari.probe',
      'ari.clock',
      'redis.reachable',
      'redis.version',
      'redis.maxmemory',
    ] as const) {
      expect(byId(r, id).status, id).toBe('pass');
    }
    expect(byId(r, 'ari.version').detail).toMatch(/^Asterisk 20\./);
    expect(byId(r, 'ari.amd')).toMatchObject({
      status: 'pass',
      detail: expect.stringMatching(/^app_amd\.so is loaded \(Running\)\. ARI cannot read the dialplan/),
    });
    expect(byId(r, 'ari.probe').detail).toMatch(/answered after .* sent on to default,s,1; ended Normal Clearing \(16\)/);
    expect(byId(r, 'ari.clock').detail).toMatch(/^within 0\.\d{3} s \(from \/asterisk\/ping\)/);
    // Persistence is the shared test Redis's business: a warning at worst, never a failure.
    expect(byId(r, 'redis.persistence').status).not.toBe('fail');
    expect(renderDoctor(r)).toMatch(/\nAll checks passed( \(1 warning\))?\.\n$/);
  });
});

describe('doctor and answering machine detection', () => {
  it('warns (without failing) when app_amd is not loaded', async () => {
    const bare = await AriSim.start({ users: { dialer: 'pw' }, timeScale: 0.01, missingModules: ['app_amd.so'] });
    try {
      const r = await doctor({ url: bare.url });
      expect(byId(r, 'ari.amd')).toMatchObject({
        status: 'warn',
        detail: expect.stringContaining('app_amd.so is not loaded'),
        fix: expect.stringContaining('module load app_amd.so'),
      });
      expect(r.checks.filter((c) => c.status === 'fail')).toEqual([]);
    } finally {
      await bare.stop();
    }
  });
});

describe('doctor in each failing state prints the right ✗', () => {
  it('ARI down: nothing answers, and what needs ARI is skipped', async () => {
    const r = await doctor({ url: `http://127.0.0.1:${downPort}/ari`, probe: { endpoint: 'SIP/operator' } });
    expect(r.ok).toBe(false);
    expect(byId(r, 'ari.reachable')).toMatchObject({ status: 'fail', detail: expect.stringContaining('ECONNREFUSED') });
    expect(lineOf(r, 'ARI reachable')).toBe(`✗ ARI reachable: nothing answers at http://127.0.0.1:${downPort}/ari (ECONNREFUSED)`);
    expect(renderDoctor(r)).toContain('    → start Asterisk, or make the URL match http.conf');
    for (const id of ['ari.auth', 'ari.websocket', 'ari.probe', 'ari.clock'] as const) expect(byId(r, id).status, id).toBe('skip');
    expect(byId(r, 'redis.reachable').status).toBe('pass');
  });

  it('401: the credentials check names the ari.conf section', async () => {
    const r = await doctor({ password: 'wrong' });
    expect(r.ok).toBe(false);
    expect(byId(r, 'ari.reachable').status).toBe('pass');
    expect(lineOf(r, 'ARI credentials')).toBe('✗ ARI credentials: user "dialer" was refused (401 Unauthorized)');
    expect(byId(r, 'ari.auth').fix).toMatch(/^check the \[dialer\] section of ari\.conf/);
    expect(byId(r, 'ari.websocket').status).toBe('skip');
  });

  it('prefix missing: Asterisk has prefix = asterisk, the URL lacks it; the fix is the URL that works', async () => {
    const r = await doctor({ url: `${origin(prefixed)}/ari` });
    expect(r.ok).toBe(false);
    const reach = byId(r, 'ari.reachable');
    expect(reach.status).toBe('fail');
    expect(reach.detail).toContain('the http.conf prefix is missing from the URL (this Asterisk has prefix = asterisk)');
    expect(reach.fix).toContain(`set ARI_URL=${origin(prefixed)}/asterisk/ari`);
    // The rest was checked at the URL that works.
    expect(byId(r, 'ari.auth').status).toBe('pass');
    expect(byId(r, 'ari.websocket').status).toBe('pass');
  });

  it('prefix present but Asterisk has none, and prefix doubled', async () => {
    const extra = await doctor({ url: `${origin(sim)}/asterisk/ari` });
    expect(byId(extra, 'ari.reachable')).toMatchObject({ status: 'fail', fix: expect.stringContaining(`ARI_URL=${origin(sim)}/ari `) });
    expect(byId(extra, 'ari.reachable').detail).toContain("the URL has a prefix (/asterisk) but this Asterisk's http.conf sets none");
    const doubled = await doctor({ url: `${origin(prefixed)}/asterisk/asterisk/ari` });
    expect(byId(doubled, 'ari.reachable').detail).toContain('the http.conf prefix is doubled in the URL');
    expect(byId(doubled, 'ari.reachable').fix).toContain(`ARI_URL=${origin(prefixed)}/asterisk/ari `);
  });

  it('app name held by another connection: ✗, and the holder keeps it', async () => {
    const holder = new AriEventStream({ url: sim.url, user: 'dialer', password: 'pw', app: 'taken-app' });
    let holderReplaced = false;
    holder.on('replaced', () => (holderReplaced = true));
    await holder.start();
    try {
      const r = await doctor({ app: 'taken-app' });
      expect(r.ok).toBe(false);
      expect(lineOf(r, 'Stasis app name')).toMatch(/^✗ Stasis app name: "taken-app" is already held by another connection/);
      expect(byId(r, 'ari.websocket')).toMatchObject({ status: 'pass', detail: expect.stringMatching(/^opened for app "ari-dialer-doctor-/) });
      expect(holderReplaced).toBe(false);
      expect(holder.connected).toBe(true);
    } finally {
      await holder.close();
    }
  });

  it('app replaced: another connection takes the name while the doctor holds it', async () => {
    const app = 'contested-app';
    let rival: AriEventStream | undefined;
    const grab = (async () => {
      // As soon as the doctor's socket holds the app, a second process connects with the same name.
      const auth = `Basic ${Buffer.from('dialer:pw').toString('base64')}`;
      for (let i = 0; i < 200; i++) {
        const apps = (await (await fetch(`${sim.url}/applications`, { headers: { authorization: auth } })).json()) as Array<{ name: string }>;
        if (apps.some((a) => a.name === app)) {
          rival = new AriEventStream({ url: sim.url, user: 'dialer', password: 'pw', app });
          await rival.start();
          return;
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    try {
      const r = await doctor({ app, holdMs: 800 });
      await grab;
      expect(rival).toBeDefined();
      expect(r.ok).toBe(false);
      expect(byId(r, 'ari.app').status).toBe('pass');
      expect(lineOf(r, 'ARI WebSocket')).toBe('✗ ARI WebSocket: opened, then another connection took app "contested-app" within 0.8 s (ApplicationReplaced)');
    } finally {
      await rival?.close();
    }
  });

  it('test call that does not go through: disposition, cause and a hint', async () => {
    const r = await doctor({ probe: { endpoint: 'SIP/trunk/5551236' } });
    expect(r.ok).toBe(false);
    expect(byId(r, 'ari.probe')).toMatchObject({ status: 'fail', detail: 'BUSY: User busy (17)' });
    const cong = await doctor({ probe: { endpoint: 'SIP/trunk/5551238' } });
    expect(byId(cong, 'ari.probe')).toMatchObject({
      status: 'fail',
      detail: 'CONGESTION: Circuit/channel congestion (34)',
      fix: expect.stringContaining('trunk'),
    });
  });

  it('test call to a driver Asterisk has not loaded (any well-shaped technology gets this far): fail with the fix', async () => {
    const r = await doctor({ probe: { endpoint: 'Dongle/dongle0/5551234' } });
    expect(r.ok).toBe(false);
    expect(byId(r, 'ari.probe')).toMatchObject({
      status: 'fail',
      detail: 'ERROR: Allocation failed',
      fix: expect.stringMatching(/could not create that channel.*module is loaded/),
    });
  });

  it('clock skew above a second', async () => {
    const r = await doctor({ now: () => Date.now() - 5000 });
    expect(r.ok).toBe(false);
    expect(lineOf(r, 'Clock skew with Asterisk')).toMatch(/^✗ Clock skew with Asterisk: Asterisk's clock is 5\.0 s ahead of this machine's/);
  });

  it('Redis down', async () => {
    const r = await doctor({ redisUrl: `redis://127.0.0.1:${downPort}` });
    expect(r.ok).toBe(false);
    expect(lineOf(r, 'Redis reachable')).toMatch(new RegExp(`^✗ Redis reachable: cannot reach redis://127\\.0\\.0\\.1:${downPort}: .*ECONNREFUSED`));
    expect(byId(r, 'redis.maxmemory').status).toBe('skip');
    expect(byId(r, 'ari.websocket').status).toBe('pass');
  });

  it('Redis with an evicting policy and no persistence (a throw-away redis-server)', async () => {
    const redis = await startRedisServer(['--save', '', '--appendonly', 'no', '--maxmemory-policy', 'allkeys-lru']);
    try {
      const r = await doctor({ redisUrl: redis.url });
      expect(r.ok).toBe(false);
      expect(lineOf(r, 'Redis maxmemory-policy')).toMatch(/^✗ Redis maxmemory-policy: allkeys-lru: when memory runs short Redis deletes keys/);
      expect(byId(r, 'redis.maxmemory').fix).toMatch(/^set maxmemory-policy noeviction/);
      expect(byId(r, 'redis.persistence')).toMatchObject({ status: 'warn', detail: expect.stringMatching(/^none \(no AOF, no RDB snapshots\)/) });
      expect(byId(r, 'ari.websocket').status).toBe('pass');
    } finally {
      await redis.stop();
    }
  });
});

describe('ari-dialer doctor on the command line', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
    vi.restoreAllMocks();
  });

  async function cli(args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
    Object.assign(process.env, { REDIS_URL, DIALER_PREFIX: prefix, ARI_USER: 'dialer', ARI_PASSWORD: 'pw' }, env);
    let out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    const code = await main(['doctor', ...args]);
    vi.restoreAllMocks();
    return { code, out };
  }

  it('exit 0 when all pass, 1 with a ✗; --json for scripts; 2 for a bad --probe', async () => {
    const ok = await cli(['--ari-url', sim.url], {});
    expect(ok.out).toContain('✓ ARI WebSocket');
    expect(ok.code).toBe(0);
    const bad = await cli(['--json'], { ARI_URL: sim.url, ARI_PASSWORD: 'nope' });
    expect(bad.code).toBe(1);
    const report = JSON.parse(bad.out) as DoctorReport;
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => c.id === 'ari.auth')?.status).toBe('fail');
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect((await cli(['--probe', 'nonsense'], { ARI_URL: sim.url })).code).toBe(2);
  });

  it('as a child process: ARI down gives ✗ and exit 1', async () => {
    const bin = fileURLToPath(new URL('../../bin/ari-dialer.js', import.meta.url));
    const env = { PATH: process.env.PATH ?? '', ARI_URL: `http://127.0.0.1:${downPort}/ari`, REDIS_URL, DIALER_PREFIX: prefix };
    const r = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(process.execPath, [bin, 'doctor'], { env, timeout: 30_000 }, (err, stdout) => {
        resolve({ code: err ? Number((err as { code?: number }).code ?? 99) : 0, stdout });
      });
    });
    expect(r.stdout).toContain(`✗ ARI reachable: nothing answers at http://127.0.0.1:${downPort}/ari`);
    expect(r.code).toBe(1);
  });
});
