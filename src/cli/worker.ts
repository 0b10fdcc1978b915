import { Command } from 'commander';
import { ariTarget, type DialerConfig, type SettingName } from '../ops/config.js';
import { BadArgumentError } from '../errors.js';
import type { HealthServer } from '../ops/health-server.js';
import type { AriSim } from '../sim/index.js';
import { configWithFlags, withSettingFlags } from './config-cmd.js';
import { settleWithin } from '../campaign/drain/within.js';
import { EXIT } from './exit-codes.js';
import { drainExitCode, onShutdown, shutdownDeadlineMs } from './shutdown.js';

const FLAGS: readonly SettingName[] = [
  'ariApp',
  'asterisk',
  'channelCap',
  'shutdownGraceS',
  'breakerThreshold',
  'breakerPauseAfterTrips',
  'retentionDays',
  'ariUrl',
  'ariUser',
  'redisUrl',
  'prefix',
  'metricsPort',
  'metricsHost',
  'logLevel',
  'logPretty',
];

/** `ari-dialer worker`: serves every live campaign from Redis against one Asterisk, until SIGTERM. */
export function workerCommand(config: Readonly<DialerConfig>, setCode: (code: number) => void): Command {
  const cmd = new Command('worker').description(
    'take dial jobs from Redis and place them on one Asterisk (one process = one Stasis app); ' + '--metrics-port serves /metrics, /healthz and /readyz',
  );
  cmd.option('--migrate', 'bring the history schema in PostgreSQL up to date before starting (with DATABASE_URL)');
  return withSettingFlags(cmd, FLAGS).action(async (o: { migrate?: boolean }, self: Command) => {
    const cfg = configWithFlags(config, self, FLAGS);
    // Loaded here, not at the top: `ari-dialer --help` and the other commands need none of it.
    const [
      { CampaignWorker },
      { DialerMetrics },
      { startHealthServer },
      { cliLogger },
      { ariSocketCheck, redisCheck, stoppingCheck },
      { AriSim },
      { redisForCli },
      { RetentionSweeper },
    ] = await Promise.all([
      import('../../jobs/campaign-worker.js'),
      import('../ops/dialer-metrics.js'),
      import('../ops/health-server.js'),
      import('../ops/pretty-log.js'),
      import('../ops/readiness.js'),
      import('../sim/index.js'),
      import('./redis-for-cli.js'),
      import('../campaign/retention/retention-sweeper.js'),
    ]);
    const target = ariTarget(cfg);
    const log = cliLogger(cfg);
    (await redisForCli(cfg.redisUrl)).disconnect();
    // With DATABASE_URL every worker also runs the archiver (one drains at a time; the next takes over if it dies).
    const history = cfg.databaseUrl
      ? await (await import('../store/history/open-history.js')).openHistory({ url: cfg.databaseUrl, migrate: o.migrate === true, logger: log })
      : undefined;
    let sim: AriSim | undefined;
    let ari = { url: target.url ?? '', user: target.user, password: target.password };
    if (!target.url) {
      sim = await AriSim.start({ users: { dialer: 'dialer' }, logger: log });
      ari = { url: sim.url, user: 'dialer', password: 'dialer' };
      log.warn({ url: sim.url }, 'ARI_URL not set: dialing the built-in ARI simulator');
    }
    const metrics = new DialerMetrics();
    const worker = new CampaignWorker({
      redisUrl: cfg.redisUrl,
      prefix: cfg.prefix,
      ari,
      app: cfg.ariApp,
      channelCap: target.channelCap,
      asterisk: target.name,
      trunks: cfg.trunks,
      webhookAllowHosts: cfg.webhookAllowHosts,
      allowedDestinations: cfg.allowedDestinations,
      blockedDestinations: cfg.blockedDestinations,
      ...(history ? { history } : {}),
      logger: log,
      observer: metrics.callObserver(),
      onBreaker: metrics.breakerObserver(),
      breaker: { threshold: cfg.breakerThreshold, pauseAfterTrips: cfg.breakerPauseAfterTrips },
    });
    metrics.watchHealth(worker);
    metrics.watchStream(worker.events);
    metrics.watchInFlight(() => worker.callsInFlight);
    metrics.watchDrain(() => ({ stopping: worker.stopping, webhooks: worker.draining.webhooks }));
    metrics.watchCampaigns(worker.service);
    // Up before the worker connects: /healthz answers at once, /readyz says 503 until ARI and Redis are there.
    let health: HealthServer | undefined;
    if (cfg.metricsPort !== undefined) {
      health = await startHealthServer({
        metrics,
        host: cfg.metricsHost,
        port: cfg.metricsPort,
        checks: [stoppingCheck(() => ({ stopping: worker.stopping, ...worker.draining })), ariSocketCheck(worker.events), redisCheck(worker.service.redis)],
        logger: log,
      }).catch(async (err: Error & { code?: string }) => {
        await worker.stop(0).catch(() => undefined);
        await sim?.stop();
        throw err.code === 'EADDRINUSE' ? new BadArgumentError('--metrics-port', `${cfg.metricsPort} is in use on ${cfg.metricsHost}`) : err;
      });
    }
    try {
      await worker.start();
    } catch (err) {
      await health?.close();
      await worker.stop(0).catch(() => undefined);
      await sim?.stop();
      throw err;
    }
    // Every worker runs one; a Redis lock lets one process per hour do the sweep.
    const { recordingSourcesFrom } = await import('../ops/recording-sources.js');
    const retention = new RetentionSweeper({
      service: worker.service,
      retentionDays: cfg.retentionDays,
      owner: worker.name,
      recordings: recordingSourcesFrom(cfg),
      logger: log,
    });
    retention.start();
    const { CampaignService } = history ? await import('../campaign/campaign-service.js') : { CampaignService: undefined };
    const archiving = history && CampaignService ? new CampaignService({ redis: worker.service.redis, prefix: cfg.prefix, history, logger: log }) : undefined;
    const archiver = archiving?.historyArchiver();
    archiver?.start();
    log.info(
      {
        app: worker.name,
        asterisk: target.name,
        metrics: health?.url,
        retentionDays: cfg.retentionDays,
        trunks: cfg.trunks.map((t) => t.name),
        history: history ? 'postgresql' : 'redis',
      },
      'worker started',
    );
    await onShutdown(
      async (signal) => {
        log.info({ signal, inFlight: worker.draining.calls, graceS: cfg.shutdownGraceS }, 'stopping: no new calls; letting calls in flight finish');
        // Neither waits on the drain: the outbox keeps what the archiver did not write, for the next one.
        const sideStops = Promise.all([settleWithin(retention.stop(), STEP_MS), settleWithin(archiver?.stop() ?? Promise.resolve(), STEP_MS)]);
        const report = await worker.stop(cfg.shutdownGraceS * 1000);
        const [retentionStopped, archiverStopped] = await sideStops;
        if (!archiverStopped)
          log.warn({ pending: 'outbox' }, 'history archiver did not stop in time (PostgreSQL or Redis unreachable): the outbox keeps what it did not write');
        if (!retentionStopped) log.warn('retention sweeper did not stop in time');
        await Promise.all([
          settleWithin(archiving?.close() ?? Promise.resolve(), STEP_MS),
          settleWithin(history?.close() ?? Promise.resolve(), STEP_MS),
          settleWithin(health?.close() ?? Promise.resolve(), STEP_MS),
          settleWithin(sim?.stop() ?? Promise.resolve(), STEP_MS),
        ]);
        const code = drainExitCode(report);
        log[code === EXIT.OK ? 'info' : 'warn']({ worker: worker.name, ...report, exitCode: code }, 'worker stopped');
        return code;
      },
      { deadlineMs: shutdownDeadlineMs(cfg.shutdownGraceS), setCode },
    );
  });
}

/** Each closing step of the CLI's own parts at most this long. */
const STEP_MS = 1000;
