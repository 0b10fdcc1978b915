import type { Redis } from 'ioredis';
import { CampaignService } from '../../src/campaign/campaign-service.js';
import { CampaignWorker, type CampaignWorkerOptions } from '../../jobs/campaign-worker.js';
import { AriSim, type AriSimOptions } from '../../src/sim/index.js';
import type { HistoryStore } from '../../src/store/history/history-store.js';
import { dropPrefix, REDIS_URL, testRedis } from './redis-test.js';

/** The simulator, a Redis connection, a CampaignService and one worker, all on a key prefix of the test's own. */
export interface CampaignRig {
  sim: AriSim;
  redis: Redis;
  svc: CampaignService;
  worker: CampaignWorker;
  /** Stops the worker (1 s grace), drops the prefix, closes the rest. */
  close(): Promise<void>;
}

/** Simulator user `dialer`/`pw` at a fast time scale (0.01 unless `sim` says), a worker taking jobs at once. */
export async function startCampaignRig(
  prefix: string,
  o: {
    sim?: AriSimOptions;
    worker?: Partial<CampaignWorkerOptions>;
    /** For webhook receivers on 127.0.0.1 (the SSRF rules refuse loopback). */
    webhookAllowHosts?: string[];
    /** History in PostgreSQL (as with DATABASE_URL): the service and the worker both get it. */
    history?: HistoryStore;
    /** The simulator user `dialer`'s password. @defaultValue 'pw' */
    password?: string;
  } = {},
): Promise<CampaignRig> {
  const password = o.password ?? 'pw';
  const sim = await AriSim.start({ users: { dialer: password }, timeScale: 0.01, ...o.sim });
  const redis = testRedis();
  const svc = new CampaignService({ redis, prefix, webhookAllowHosts: o.webhookAllowHosts, ...(o.history ? { history: o.history } : {}) });
  const worker = new CampaignWorker({
    redisUrl: REDIS_URL,
    prefix,
    ari: { url: sim.url, user: 'dialer', password },
    channelCap: 50,
    pollMs: 100,
    webhookAllowHosts: o.webhookAllowHosts,
    ...(o.history ? { history: o.history } : {}),
    ...o.worker,
  });
  await worker.start();
  return {
    sim,
    redis,
    svc,
    worker,
    close: async () => {
      await worker.stop(1000);
      await svc.close();
      await dropPrefix(redis, prefix);
      redis.disconnect();
      await sim.stop();
    },
  };
}
