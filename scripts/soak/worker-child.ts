// A worker process for the soak and the fault suite: what `ari-dialer worker` runs, plus the BullMQ lock and
// stalled-check settings a fault test needs to see a killed worker's jobs come back in seconds instead of 30 s.
//
//   node --import tsx scripts/soak/worker-child.ts [--lock-ms N] [--stalled-ms N] [--grace S] [--app NAME] [--heartbeat-ttl-ms N] [--no-witness]
//
// Reads the same environment as the CLI (REDIS_URL, DIALER_PREFIX, ARI_URL, ARI_USER, ARI_PASSWORD, CHANNEL_CAP,
// LOG_LEVEL, DATABASE_URL: lists in PostgreSQL are fed by it, as by the CLI's worker; the schema must be migrated). Prints `ready <app>` on stdout once it takes jobs; SIGTERM stops it gracefully (exit 0).
import { parseArgs } from 'node:util';
import { CampaignWorker } from '../../jobs/campaign-worker.js';
import { onShutdown } from '../../src/cli/shutdown.js';
import { loadConfig } from '../../src/ops/config.js';
import { createLogger } from '../../src/log.js';

const { values } = parseArgs({
  options: {
    'lock-ms': { type: 'string' },
    'stalled-ms': { type: 'string' },
    'webhook-backoff-ms': { type: 'string' },
    grace: { type: 'string', default: '30' },
    app: { type: 'string' },
    'heartbeat-ttl-ms': { type: 'string' },
    'no-witness': { type: 'boolean' },
  },
});
const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));

const config = loadConfig();
if (!config.ariUrl) {
  process.stderr.write('worker-child: ARI_URL must be set\n');
  process.exit(2);
}
const log = createLogger({ level: config.logLevel });
const history = config.databaseUrl
  ? await (await import('../../src/store/history/open-history.js')).openHistory({ url: config.databaseUrl, logger: log })
  : undefined;
const worker = new CampaignWorker({
  ...(history ? { history } : {}),
  redisUrl: config.redisUrl,
  prefix: config.prefix,
  ari: { url: config.ariUrl, user: config.ariUser, password: config.ariPassword },
  app: values.app ?? config.ariApp,
  channelCap: config.channelCap,
  lockDurationMs: num(values['lock-ms']),
  stalledIntervalMs: num(values['stalled-ms']),
  webhookBackoffMs: num(values['webhook-backoff-ms']),
  heartbeatTtlMs: num(values['heartbeat-ttl-ms']),
  witness: !values['no-witness'],
  pollMs: 200,
  logger: log,
});
await worker.start();
process.stdout.write(`ready ${worker.name}\n`);
await onShutdown(async (signal) => {
  log.info({ signal, inFlight: worker.callsInFlight }, 'stopping');
  await worker.stop(Number(values.grace) * 1000);
  await history?.close();
});
