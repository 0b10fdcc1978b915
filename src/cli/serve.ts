import { hostname } from 'node:os';
import { Command } from 'commander';
import type { DialerConfig, SettingName } from '../ops/config.js';
import { isLoopback } from '../dashboard/dashboard-options.js';
import { BadArgumentError } from '../errors.js';
import type { HealthServer } from '../ops/health-server.js';
import { configWithFlags, withSettingFlags } from './config-cmd.js';
import { recordingSourcesFrom } from '../ops/recording-sources.js';
import { EXIT } from './exit-codes.js';
import { onShutdown, shutdownDeadlineMs } from './shutdown.js';

const FLAGS: readonly SettingName[] = ['metricsPort', 'metricsHost', 'logLevel', 'logPretty', 'retentionDays', 'shutdownGraceS'];

/**
 * `ari-dialer serve`: the web dashboard over the same Redis as the CLI and the workers, until SIGTERM; then it
 * exits within shutdownGraceS + 10 s whatever is down (see stopServe), with a worker's exit codes.
 */
export function serveCommand(config: DialerConfig, setCode?: (code: number) => void): Command {
  const cmd = new Command('serve')
    .description('serve the web dashboard (campaigns, calls, queues) at http://127.0.0.1:8080 by default')
    .option('--host <address>', 'address to listen on (env DASHBOARD_HOST); other than loopback needs DASHBOARD_TOKEN', config.dashboardHost)
    .option('--port <port>', 'port to listen on (env DASHBOARD_PORT)', String(config.dashboardPort))
    .option('--max-upload <mb>', 'largest CSV upload in megabytes', '50')
    .option('--migrate', 'bring the history schema in PostgreSQL up to date before starting (with DATABASE_URL)');
  // /metrics, /healthz and /readyz on a port of their own: the dashboard's port needs a token, a scraper should not.
  return withSettingFlags(cmd, FLAGS).action(async (o: { host: string; port: string; maxUpload: string; migrate?: boolean }, self: Command) => {
    const cfg = configWithFlags(config, self, FLAGS);
    const port = Number(o.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new BadArgumentError('--port', `must be a whole number from 0 to 65535, got ${JSON.stringify(o.port)}`);
    const maxMb = Number(o.maxUpload);
    if (!(maxMb > 0 && maxMb <= 10_000))
      throw new BadArgumentError('--max-upload', `must be a number of megabytes from 0 to 10000, got ${JSON.stringify(o.maxUpload)}`);
    const hasOperator = config.dashboardToken !== undefined || config.dashboardTokens.some((t) => t.role === 'operator');
    if (!isLoopback(o.host) && !hasOperator) {
      throw new BadArgumentError(
        '--host',
        `refusing to listen on ${o.host} without a token: anyone who can reach it could start and cancel calls. ` +
          'Set DASHBOARD_TOKEN (and DASHBOARD_VIEWER_TOKEN for read-only access), or keep the default 127.0.0.1.',
      );
    }
    if (config.dashboardViewerToken && !hasOperator) {
      throw new BadArgumentError('DASHBOARD_VIEWER_TOKEN', 'needs DASHBOARD_TOKEN too (the operator token)');
    }
    // Loaded here, not at the top: `ari-dialer --help` and the other commands need none of it.
    const [
      { CampaignService },
      { DEFAULT_REDIS_URL },
      { startDashboard },
      { DialerMetrics },
      { startHealthServer },
      { cliLogger },
      { redisCheck, stoppingCheck },
      { redisForCli },
      { RetentionSweeper },
      { stopServe },
    ] = await Promise.all([
      import('../campaign/campaign-service.js'),
      import('../store/redis-connection.js'),
      import('../dashboard/server.js'),
      import('../ops/dialer-metrics.js'),
      import('../ops/health-server.js'),
      import('../ops/pretty-log.js'),
      import('../ops/readiness.js'),
      import('./redis-for-cli.js'),
      import('../campaign/retention/retention-sweeper.js'),
      import('./serve-stop.js'),
    ]);
    const log = cliLogger(cfg);
    const redisUrl = config.redisUrl ?? DEFAULT_REDIS_URL;
    const redis = await redisForCli(redisUrl);
    const history = config.databaseUrl
      ? await (
          await import('../store/history/open-history.js')
        )
          .openHistory({ url: config.databaseUrl, migrate: o.migrate === true, logger: log })
          .catch((err) => {
            redis.disconnect();
            throw err;
          })
      : undefined;
    const service = new CampaignService({
      redis,
      prefix: config.prefix,
      logger: log,
      history,
      webhookAllowHosts: config.webhookAllowHosts,
      allowedDestinations: config.allowedDestinations,
      blockedDestinations: config.blockedDestinations,
    });
    const archiver = history ? service.historyArchiver() : undefined;
    archiver?.start();
    const dash = await startDashboard({
      service,
      redisUrl,
      host: o.host,
      port,
      publicUrl: config.dashboardPublicUrl,
      operatorToken: config.dashboardToken,
      viewerToken: config.dashboardViewerToken,
      tokens: config.dashboardTokens.map((t, i) => ({ ...t, setting: `dashboardTokens[${i}] (${t.name})` })),
      trustProxy: config.trustProxy,
      maxUploadBytes: Math.round(maxMb * 1024 * 1024),
      logger: log,
      recordings: recordingSourcesFrom(config),
      ...(history ? { history } : {}),
    }).catch(async (err: Error & { code?: string }) => {
      await service.close();
      redis.disconnect();
      if (err.code === 'EADDRINUSE') throw new BadArgumentError('--port', `${port} is in use on ${o.host}: pick another with --port`);
      if (err instanceof RangeError) throw new BadArgumentError('dashboard', err.message);
      throw err;
    });
    process.stdout.write(`Dashboard: ${dash.url}${hasOperator ? ' (log in with a dashboard token)' : ''}\n`);
    let stopping = false;
    let health: HealthServer | undefined;
    if (cfg.metricsPort !== undefined) {
      const metrics = new DialerMetrics();
      metrics.watchCampaigns(service);
      metrics.watchDrain(() => ({ stopping, webhooks: 0 }));
      const checks = [stoppingCheck(() => ({ stopping, requests: dash.inFlight().requests })), redisCheck(redis)];
      health = await startHealthServer({ metrics, host: cfg.metricsHost, port: cfg.metricsPort, checks, logger: log }).catch(
        async (err: Error & { code?: string }) => {
          await dash.close();
          await service.close();
          redis.disconnect();
          throw err.code === 'EADDRINUSE' ? new BadArgumentError('--metrics-port', `${cfg.metricsPort} is in use on ${cfg.metricsHost}`) : err;
        },
      );
      process.stdout.write(`Metrics: ${health.url}/metrics (also /healthz, /readyz)\n`);
    }
    // Also here: an installation whose workers are all stopped still keeps Redis bounded.
    const retention = new RetentionSweeper({
      service,
      retentionDays: cfg.retentionDays,
      owner: `dashboard-${hostname()}-${process.pid}`,
      recordings: recordingSourcesFrom(config),
      logger: log,
    });
    retention.start();
    log.info({ url: dash.url, metrics: health?.url, history: history ? 'postgresql' : 'redis' }, 'serve started');
    await onShutdown(
      async (signal) => {
        stopping = true;
        log.info({ signal, graceS: cfg.shutdownGraceS, ...dash.inFlight() }, 'stopping: no new connections; letting requests under way finish');
        const r = await stopServe(
          {
            log,
            dash,
            sideStops: [
              ['retention sweeper', () => retention.stop()],
              ['history archiver', () => archiver?.stop() ?? Promise.resolve()],
            ],
            closers: [
              ['health server', () => health?.close() ?? Promise.resolve()],
              ['history', () => history?.close() ?? Promise.resolve()],
              ['campaign queues', () => service.close(), 'redis'],
            ],
            redisReady: () => redis.status === 'ready',
            dropRedis: () => redis.disconnect(),
          },
          { graceMs: cfg.shutdownGraceS * 1000, stepMs: STEP_MS },
        );
        log[r.exitCode === EXIT.OK ? 'info' : 'warn']({ ...r }, 'serve stopped');
        return r.exitCode;
      },
      { deadlineMs: shutdownDeadlineMs(cfg.shutdownGraceS), ...(setCode ? { setCode } : {}) },
    );
  });
}

/** Each closing step at most this long. */
const STEP_MS = 1000;
