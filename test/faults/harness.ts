import { spawn, type ChildProcess } from 'node:child_process';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { RedisClient } from '../../src/store/lua-script.js';
import { expect, vi } from 'vitest';
import { CampaignService } from '../../src/campaign/campaign-service.js';
import { CampaignWorker, type CampaignWorkerOptions } from '../../jobs/campaign-worker.js';
import { connectRedis } from '../../src/store/redis-connection.js';
import { createLogger } from '../../src/log.js';
import { AriSim, type AriSimOptions, type SimRule } from '../../src/sim/index.js';
import { auditCampaign, type CampaignAudit } from '../../scripts/soak/audit.js';
import { dropPrefix, REDIS_URL, testPrefix, waitUntil } from '../helpers/redis-test.js';

// A fault test runs a campaign of hundreds of calls through a fault: ~15 s alone, twice that on a loaded CI machine.
// Each still bounds its own waits (rig.finished, waitUntil); this only keeps the default 30 s from cutting them short.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 60_000 });

export const SIM_USER = 'dialer';
export const SIM_PASSWORD = 'fault-pass';
export const ENDPOINT = 'SIP/trunk/{number}';
export const endpointOf = (number: string): string => `SIP/trunk/${number}`;

/**
 * Calls that last long enough for ~100 to be in flight at 75 calls/s (timeScale 1, real milliseconds): answered
 * calls ring 1.5 s and end 1 s after `continue`; failures ring 0.8 s first; no-answer rings until the timeout.
 * The last digit still decides the outcome: 0-5 answer, 6 busy, 7 no answer, 8 congestion, 9 rejected.
 */
export const LONG_CALLS: SimRule[] = [
  { match: /[0-5]$/, outcome: 'answer', ringMs: 1500, talkMs: 4000 },
  { match: /6$/, outcome: 'busy', ringMs: 800 },
  { match: /8$/, outcome: 'congestion', ringMs: 800 },
  { match: /9$/, outcome: 'rejected', ringMs: 800 },
];

/** Campaign settings for ~100 calls in flight; a short retry policy so retries happen within the test. */
export const BUSY_CAMPAIGN = {
  endpoint: ENDPOINT,
  cps: 75,
  maxConcurrent: 150,
  timeoutS: 3,
  retry: 'busy=1@300ms,no_answer=1@300ms,congestion=1@300ms',
};

/** `count` distinct numbers whose last digits cycle 0..9 (60 % answered). */
export function numbersFor(count: number, series: number): string[] {
  return Array.from({ length: count }, (_, i) => `+1${String(series).padStart(3, '0')}${String(1_000_000 + i).slice(1)}`);
}

export const csvOf = (numbers: readonly string[]) => () => Readable.from([`number\n${numbers.join('\n')}\n`]);

export const testLogger = () => (process.env.TEST_LOG ? createLogger({ level: process.env.TEST_LOG }) : undefined);

/** The simulator, a Redis connection, a service and a key prefix of this test's own. */
export class Rig {
  private readonly workers: CampaignWorker[] = [];
  private readonly children: WorkerChild[] = [];

  private constructor(
    readonly sim: AriSim,
    readonly redis: RedisClient,
    readonly prefix: string,
    readonly svc: CampaignService,
    readonly redisUrl: string,
    private readonly webhookAllowHosts: string[],
  ) {}

  /** `webhookAllowHosts`: for webhook receivers on 127.0.0.1, which the SSRF rules refuse otherwise. */
  static async start(name: string, sim: AriSimOptions = {}, redisUrl: string = REDIS_URL, webhookAllowHosts: string[] = []): Promise<Rig> {
    const s = await AriSim.start({ users: { [SIM_USER]: SIM_PASSWORD }, rules: LONG_CALLS, sessionLimit: 500, ...sim });
    const redis = connectRedis(redisUrl);
    const prefix = testPrefix(name);
    return new Rig(s, redis, prefix, new CampaignService({ redis, prefix, webhookAllowHosts }), redisUrl, webhookAllowHosts);
  }

  get ari() {
    return { url: this.sim.url, user: SIM_USER, password: SIM_PASSWORD };
  }

  /** Environment for a worker child process (the CLI's variables). */
  childEnv(extra: Record<string, string> = {}): Record<string, string> {
    return {
      PATH: process.env.PATH ?? '',
      REDIS_URL: this.redisUrl,
      DIALER_PREFIX: this.prefix,
      ARI_URL: this.sim.url,
      ARI_USER: SIM_USER,
      ARI_PASSWORD: SIM_PASSWORD,
      CHANNEL_CAP: '300',
      LOG_LEVEL: process.env.TEST_LOG ?? 'info',
      ...(this.webhookAllowHosts.length ? { WEBHOOK_ALLOW_HOSTS: this.webhookAllowHosts.join(',') } : {}),
      ...extra,
    };
  }

  async worker(opts: Partial<CampaignWorkerOptions> = {}): Promise<CampaignWorker> {
    const w = new CampaignWorker({
      redisUrl: this.redisUrl,
      prefix: this.prefix,
      ari: this.ari,
      channelCap: 300,
      pollMs: 100,
      logger: testLogger(),
      webhookAllowHosts: this.webhookAllowHosts,
      ...opts,
    });
    this.workers.push(w);
    await w.start();
    return w;
  }

  /**
   * A worker in its own process: the real CLI (`cli`) or scripts/soak/worker-child.ts with fast stall settings; or
   * the CLI's `serve` (the dashboard, on ports of its own: give `--port 0`).
   */
  async spawnWorker(kind: 'cli' | 'child' | 'serve', args: string[] = [], env: Record<string, string> = {}): Promise<WorkerChild> {
    const c = startWorkerChild(kind, args, this.childEnv(env));
    this.children.push(c);
    await c.ready;
    return c;
  }

  async campaign(name: string, numbers: readonly string[], settings: Record<string, unknown> = BUSY_CAMPAIGN): Promise<string> {
    const r = await this.svc.create({ name, settings, open: csvOf(numbers) });
    expect(r, JSON.stringify(r.errors.slice(0, 3))).toMatchObject({ created: true, accepted: numbers.length });
    return r.id!;
  }

  /** Waits for `n` channels alive on the simulated Asterisk: the moment a fault should hit. */
  async inFlight(n = 100, timeoutMs = 20_000): Promise<void> {
    await waitUntil(`${n} calls in flight (peak so far ${this.sim.stats.peakActiveChannels})`, () => this.sim.stats.activeChannels >= n, timeoutMs, 10).catch(
      (err: Error) => {
        throw new Error(`${err.message}; peak ${this.sim.stats.peakActiveChannels}, originates ${this.sim.stats.originates}`);
      },
    );
  }

  async finished(id: string, timeoutMs = 60_000): Promise<void> {
    await waitUntil(`campaign ${id} finished`, async () => (await this.svc.get(id)).state === 'finished', timeoutMs, 100);
  }

  audit(id: string, numbers: readonly string[]): Promise<CampaignAudit> {
    return auditCampaign(this.svc, id, numbers, endpointOf, this.sim.stats);
  }

  /**
   * The suite's invariants: every number has exactly one final result, every originated channel has its stored
   * attempt, the simulator's originates per number equal the attempts placed (zero double dials), an attempt that
   * Asterisk never saw is an honest error, and no job is left behind.
   */
  async expectClean(id: string, numbers: readonly string[]): Promise<CampaignAudit> {
    // The last job completes a moment after the Lua script marked the campaign finished.
    await waitUntil('queue drained', async () => (await this.audit(id, numbers)).stuckJobs === 0, 10_000, 100).catch(() => undefined);
    const a = await this.audit(id, numbers);
    expect(a.lostNumbers, 'numbers without a final result').toEqual([]);
    expect(a.unrecordedChannels, 'originated channels without a stored attempt').toEqual([]);
    expect(a.doubleDialed, 'double dials').toEqual([]);
    expect(
      a.phantomResults.map((r) => `${r.number} a${r.attempt} ${r.disposition} ${r.reason ?? ''}`),
      'results for calls never placed',
    ).toEqual([]);
    expect({ ...a.queue, inflight: a.inflight }, 'jobs left behind').toEqual({
      waiting: 0,
      active: 0,
      delayed: 0,
      paused: 0,
      prioritized: 0,
      failed: 0,
      inflight: 0,
    });
    expect(a.finals).toBe(numbers.length);
    const counters = (await this.svc.status(id)).counters;
    expect(counters).toMatchObject({ total: numbers.length, done: numbers.length, attempts: a.attempts });
    return a;
  }

  async close(): Promise<void> {
    await Promise.all(this.children.map((c) => c.kill('SIGKILL')));
    await Promise.all(this.workers.map((w) => w.stop(500).catch(() => undefined)));
    await this.svc.close();
    await dropPrefix(this.redis, this.prefix).catch(() => undefined);
    this.redis.disconnect();
    await this.sim.stop();
  }
}

export interface WorkerChild {
  child: ChildProcess;
  /** Resolves once the worker takes jobs. */
  ready: Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
  stdout(): string;
  kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const RUN = fileURLToPath(new URL('../../src/cli/run.ts', import.meta.url));
const CHILD = fileURLToPath(new URL('../../scripts/soak/worker-child.ts', import.meta.url));

export function startWorkerChild(kind: 'cli' | 'child' | 'serve', args: string[], env: Record<string, string>): WorkerChild {
  const argv = kind === 'child' ? ['--import', 'tsx', CHILD, ...args] : ['--import', 'tsx', RUN, kind === 'cli' ? 'worker' : 'serve', ...args];
  const child = spawn(process.execPath, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  // The CLI logs "worker started" or "serve started" (JSON on stderr); the soak child prints "ready" on stdout.
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (/ready /.test(out) || /"(worker|serve) started"/.test(err)) {
        clearInterval(timer);
        resolve();
      }
    }, 20);
    void exited.then(({ code, signal }) => {
      clearInterval(timer);
      reject(new Error(`worker exited before it was ready (code ${code}, signal ${signal}):\n${err.slice(-2000)}`));
    });
  });
  ready.catch(() => undefined);
  return {
    child,
    ready,
    exited,
    stderr: () => err,
    stdout: () => out,
    kill: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** `FAULT_REPORT=1 npx vitest run test/faults` prints what each fault left behind. */
export function report(name: string, a: CampaignAudit, extra: Record<string, unknown> = {}): void {
  if (!process.env.FAULT_REPORT) return;
  const { lostNumbers, unrecordedChannels, doubleDialed, phantomResults, ...figures } = a;
  process.stderr.write(
    `${name}: ${JSON.stringify({ ...figures, lost: lostNumbers.length + unrecordedChannels.length, doubleDialed: doubleDialed.length, phantom: phantomResults.length, ...extra })}\n`,
  );
}
