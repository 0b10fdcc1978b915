import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CampaignService } from '../../src/campaign/campaign-service.js';
import { connectRedis } from '../../src/store/redis-connection.js';
import { AriSim } from '../../src/sim/index.js';
import { testPrefix, waitUntil } from '../helpers/redis-test.js';
import { csvOf, numbersFor, startWorkerChild, type WorkerChild } from '../faults/harness.js';
import { OwnRedis } from '../faults/own-redis.js';

const ARI_USER = 'dialer';
const ARI_PASSWORD = 'ari-pw-Q7xv2LmN';
const WRONG_PASSWORD = 'wrong-pw-K3jd8PzT';
const REDIS_PASSWORD = 'redis-pw-Wz4Nq9Rb';
const DASHBOARD_TOKEN = 'dash-token-Hs7Vb2Xe';
const VIEWER_TOKEN = 'view-token-Mf3Tc8Ya';
const WEBHOOK_SECRET = 'whsec-env-Pq6Ld1Ko';
const CAMPAIGN_HOOK_SECRET = 'whsec-campaign-Zr5Gm0Ju';

const b64 = (s: string) => Buffer.from(s).toString('base64');
/** Every form a secret could leak in: as is, in Basic auth, URL-encoded. */
const SECRETS: Record<string, string> = {
  ARI_PASSWORD,
  WRONG_PASSWORD,
  REDIS_PASSWORD,
  DASHBOARD_TOKEN,
  VIEWER_TOKEN,
  WEBHOOK_SECRET,
  CAMPAIGN_HOOK_SECRET,
  'base64(user:password)': b64(`${ARI_USER}:${ARI_PASSWORD}`),
  'base64(user:wrong password)': b64(`${ARI_USER}:${WRONG_PASSWORD}`),
  'base64(:redis password)': b64(`:${REDIS_PASSWORD}`),
};

const DIAL = fileURLToPath(new URL('../../bin/dial.js', import.meta.url));
const ARI_DIALER = fileURLToPath(new URL('../../bin/ari-dialer.js', import.meta.url));

function run(bin: string, args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 }, (_err, stdout, stderr) =>
      resolve(`${stdout}\n${stderr}`),
    );
  });
}

let sim: AriSim;
let redis: OwnRedis;
let hook: Server;
let hookPort = 0;
const requests: Array<{ url: string; headers: IncomingMessage['headers'] }> = [];
const prefix = testPrefix('secrets');
/** Everything every process printed: stdout, stderr, pino lines at trace level. */
const captured: Record<string, string> = {};

beforeAll(async () => {
  sim = await AriSim.start({ users: { [ARI_USER]: ARI_PASSWORD }, timeScale: 0.05 });
  redis = await OwnRedis.start([], REDIS_PASSWORD);
  let n = 0;
  // The receiver fails the first deliveries, so the worker logs its webhook errors too.
  hook = createServer((req, res) => {
    requests.push({ url: req.url ?? '', headers: req.headers });
    req.resume().on('end', () => res.writeHead(++n <= 5 ? 500 : 204).end());
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  hookPort = (hook.address() as AddressInfo).port;
});

afterAll(async () => {
  await sim.stop();
  await redis.stop();
  await new Promise((r) => hook.close(r));
});

const env = (over: Record<string, string | undefined> = {}): Record<string, string> => {
  const all: Record<string, string | undefined> = {
    PATH: process.env.PATH ?? '',
    ARI_URL: sim.url,
    ARI_USER,
    ARI_PASSWORD,
    REDIS_URL: redis.url,
    DIALER_PREFIX: prefix,
    DASHBOARD_TOKEN,
    DASHBOARD_VIEWER_TOKEN: VIEWER_TOKEN,
    WEBHOOK_SECRET,
    WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
    LOG_LEVEL: 'trace',
    ...over,
  };
  return Object.fromEntries(Object.entries(all).filter((kv): kv is [string, string] => kv[1] !== undefined));
};

describe('secrets never reach a log line or an error message', () => {
  it('a worker running a campaign through faults, at trace level', async () => {
    const svc = new CampaignService({ redis: connectRedis(redis.url), prefix, webhookAllowHosts: ['127.0.0.1'] });
    let worker: WorkerChild | undefined;
    try {
      worker = startWorkerChild('cli', ['--grace', '1'], env());
      await worker.ready;
      const numbers = numbersFor(40, 201);
      const r = await svc.create({
        name: 'secrets',
        settings: {
          endpoint: 'SIP/trunk/{number}',
          cps: 50,
          maxConcurrent: 20,
          timeoutS: 2,
          retry: 'none',
          webhook: { url: `http://127.0.0.1:${hookPort}/hook`, secret: CAMPAIGN_HOOK_SECRET, ratePerSecond: 50 },
        },
        open: csvOf(numbers),
      });
      await waitUntil('calls', () => sim.stats.originates > 5);
      sim.faults.dropSockets();
      sim.faults.failRest(500, { count: 5 });
      sim.faults.failRest(401, { count: 3, match: /^GET / });
      await waitUntil('finished', async () => (await svc.get(r.id!)).state === 'finished', 30_000);
      await waitUntil('webhooks delivered', async () => (await svc.status(r.id!)).counters.webhookDelivered === numbers.length, 30_000);
    } finally {
      if (worker) {
        await worker.kill('SIGTERM');
        captured.worker = worker.stdout() + worker.stderr();
      }
      await svc.close();
      svc.redis.disconnect();
    }
    expect(captured.worker).toMatch(/"attempt ended"/);
    expect(captured.worker).toMatch(/ARI event socket down/);
    // The webhook carried its signature, never the secret itself, and no credentials in the URL.
    for (const q of requests) {
      expect(JSON.stringify(q)).not.toContain(CAMPAIGN_HOOK_SECRET);
      expect(q.url).toBe('/hook');
    }
  }, 60_000);

  it('a worker that cannot log in (wrong ARI password) and one that cannot reach Redis (wrong Redis password)', async () => {
    const ari = startWorkerChild('cli', [], env({ ARI_PASSWORD: WRONG_PASSWORD }));
    captured.wrongAri = await ari.exited.then(() => ari.stdout() + ari.stderr());
    expect(captured.wrongAri).toMatch(/authentication failed for user dialer/);
    const badRedis = redis.url.replace(encodeURIComponent(REDIS_PASSWORD), encodeURIComponent(WRONG_PASSWORD));
    captured.wrongRedis = await run(ARI_DIALER, ['campaign', 'list'], env({ REDIS_URL: badRedis }));
    expect(captured.wrongRedis).toMatch(/Redis/);
  });

  it('dial, verbose at trace level, password from the environment and from --password', async () => {
    // Credentials in the URL are taken out of it, and out of every message.
    const urlWithCreds = sim.url.replace('http://', `http://${ARI_USER}:${WRONG_PASSWORD}@`);
    [captured.dialEnv, captured.dialFlag, captured.dialWrong, captured.dialUrl] = await Promise.all([
      run(DIAL, ['SIP/trunk/5550001', '1', 'default', 's', '1', '2', '--verbose'], env()),
      run(DIAL, ['SIP/trunk/5550002', '1', 'default', 's', '1', '2', '--verbose', '--password', ARI_PASSWORD], env({ ARI_PASSWORD: undefined })),
      run(DIAL, ['SIP/trunk/5550003', '1', 'default', 's', '1', '2', '--verbose'], env({ ARI_PASSWORD: WRONG_PASSWORD })),
      run(
        DIAL,
        ['SIP/trunk/5550004', '1', 'default', 's', '1', '2', '--verbose'],
        env({ ARI_URL: urlWithCreds, ARI_USER: undefined, ARI_PASSWORD: undefined }),
      ),
    ]);
    expect(captured.dialEnv).toMatch(/"status":"success"/);
    expect(captured.dialFlag).toMatch(/"status":"success"/);
    expect(captured.dialWrong).toMatch(/authentication failed/);
    expect(captured.dialUrl).toMatch(/authentication failed/);
  });

  it('config print shows every setting but masks the secrets', async () => {
    captured.configPrint = await run(ARI_DIALER, ['config', 'print'], env());
    expect(captured.configPrint).toMatch(/DASHBOARD_TOKEN|dashboardToken/);
  });

  it('none of the output above holds any secret, in any form', () => {
    expect(Object.keys(captured).length).toBeGreaterThanOrEqual(7);
    const leaks: string[] = [];
    for (const [where, text] of Object.entries(captured)) {
      for (const [name, secret] of Object.entries(SECRETS)) {
        for (const form of new Set([secret, encodeURIComponent(secret)])) if (text.includes(form)) leaks.push(`${name} in ${where}`);
      }
    }
    expect(leaks).toEqual([]);
  });
});
