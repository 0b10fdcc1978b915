import { Command } from 'commander';
import { onShutdown } from './shutdown.js';

/** `ari-dialer sim`: the ARI simulator stand-alone, for trying the dialer without an Asterisk. */
export function simCommand(): Command {
  return new Command('sim')
    .description('run the ARI simulator (a fake Asterisk speaking ARI over HTTP and WebSocket)')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--port <port>', 'port', '8088')
    .option('--user <user>', 'ARI user', 'asterisk')
    .option('--password <password>', 'ARI password', 'asterisk')
    .option('--prefix <prefix>', "http.conf prefix (e.g. 'asterisk' serves /asterisk/ari)", '')
    .option('--time-scale <x>', 'multiply every ring/talk time (0.01 = 100x faster)', '1')
    .action(async (o: { host: string; port: string; user: string; password: string; prefix: string; timeScale: string }) => {
      const [{ AriSim }, { createLogger }] = await Promise.all([import('../sim/index.js'), import('../log.js')]);
      const log = createLogger();
      const sim = await AriSim.start({
        host: o.host,
        port: Number(o.port),
        users: { [o.user]: o.password },
        prefix: o.prefix,
        timeScale: Number(o.timeScale),
        logger: log,
      });
      process.stdout.write(`ARI simulator listening at ${sim.url} (user ${o.user})\n`);
      await onShutdown(() => sim.stop());
    });
}
