import { Command } from 'commander';
import { CampaignWorker } from '../campaign/campaign-worker.js';
import type { DialerConfig } from '../config.js';
import { createLogger } from '../log.js';
import { AriSim } from '../sim/index.js';
import { redisForCli } from './redis-for-cli.js';
import { onShutdown } from './shutdown.js';

/** `ari-dialer worker`: serves every live campaign from Redis against one Asterisk, until SIGTERM. */
export function workerCommand(config: DialerConfig): Command {
  return new Command('worker')
    .description('take dial jobs from Redis and place them on one Asterisk (one process = one Stasis app)')
    .option('--app <name>', 'Stasis app name (env ARI_APP), unique per process')
    .option('--channel-cap <n>', 'channels this worker may hold on its Asterisk (env CHANNEL_CAP)')
    .option('--grace <s>', 'on SIGTERM, seconds calls in flight may go on before being hung up', '30')
    .option('--log-pretty', 'human-readable logs')
    .action(async (o: { app?: string; channelCap?: string; grace: string; logPretty?: boolean }) => {
      const log = createLogger({ level: config.logLevel, pretty: o.logPretty });
      (await redisForCli(config.redisUrl)).disconnect();
      let sim: AriSim | undefined;
      let ari = { url: config.ariUrl ?? '', user: config.ariUser, password: config.ariPassword };
      if (!config.ariUrl) {
        sim = await AriSim.start({ users: { dialer: 'dialer' }, logger: log });
        ari = { url: sim.url, user: 'dialer', password: 'dialer' };
        log.warn({ url: sim.url }, 'ARI_URL not set: dialing the built-in ARI simulator');
      }
      const worker = new CampaignWorker({
        redisUrl: config.redisUrl,
        prefix: config.prefix,
        ari,
        app: o.app ?? config.ariApp,
        channelCap: o.channelCap ? Number(o.channelCap) : config.channelCap,
        logger: log,
      });
      await worker.start();
      log.info({ app: worker.name }, 'worker started');
      await onShutdown(async (signal) => {
        log.info({ signal, inFlight: worker.callsInFlight }, 'stopping: no new calls; letting calls in flight finish');
        await worker.stop(Number(o.grace) * 1000);
        await sim?.stop();
        log.info('worker stopped');
      });
    });
}
