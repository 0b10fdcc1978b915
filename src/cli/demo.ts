import { createReadStream } from 'node:fs';
import { Command } from 'commander';
import type { DialerConfig } from '../ops/config.js';
import { DialerError } from '../errors.js';
import { packageFile } from '../package-file.js';
import type { PrivateRedis } from './private-redis.js';
import { ProgressBar } from './progress-bar.js';
import { onShutdown } from './shutdown.js';

const SAMPLE = packageFile('examples/sample-numbers.csv');

/** `npm run demo`: a whole campaign against the built-in simulator, with the dashboard. The first thing to try. */
export function demoCommand(config: DialerConfig): Command {
  return new Command('demo')
    .description('run a sample campaign against the built-in ARI simulator, with the dashboard')
    .option('--csv <file>', 'numbers to dial', SAMPLE)
    .option('--exit', 'exit when the campaign is finished instead of keeping the dashboard up')
    .option('--port <port>', 'dashboard port', String(config.dashboardPort))
    .action(async (o: { csv: string; exit?: boolean; port: string }) => {
      // Loaded here, not at the top: `ari-dialer --help` and the other commands need none of it.
      const [
        { CampaignService },
        { CampaignWorker },
        { connectRedis, DEFAULT_REDIS_URL },
        { startDashboard },
        { silentLogger },
        { summarizeCampaign },
        { AriSim },
        { redisAnswers, startPrivateRedis },
      ] = await Promise.all([
        import('../campaign/campaign-service.js'),
        import('../../jobs/campaign-worker.js'),
        import('../store/redis-connection.js'),
        import('../dashboard/server.js'),
        import('../log.js'),
        import('../report/write-report.js'),
        import('../sim/index.js'),
        import('./private-redis.js'),
      ]);
      const say = (s: string) => process.stdout.write(`${s}\n`);
      let priv: PrivateRedis | undefined;
      let redisUrl = config.redisUrl ?? DEFAULT_REDIS_URL;
      if (!config.redisUrl && !(await redisAnswers(redisUrl))) {
        priv = await startPrivateRedis();
        if (!priv) {
          throw new DialerError(
            'ARI_UNREACHABLE',
            'the demo needs Redis: nothing answers at redis://127.0.0.1:6379 and redis-server is not installed.\n' +
              '  Install it (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) or set REDIS_URL.',
          );
        }
        redisUrl = priv.url;
        say(`No Redis at 127.0.0.1:6379: started a private redis-server at ${redisUrl} (keeps nothing on disk).`);
      }
      // The demo keeps its keys apart from any real installation sharing this Redis, unless DIALER_PREFIX says where.
      const prefix = config.sources.prefix === 'default' ? '{ari-dialer-demo}' : config.prefix;
      // Callees that talk for a while (the continued dialplan waits for them), at five times real speed.
      const sim = await AriSim.start({
        users: { demo: 'demo' },
        timeScale: 0.2,
        dialplanMs: 120_000,
        // The press-1 message: 3 s (callees press 1.5 s after they start listening, so during it).
        sounds: { 'demo-promo': 3000 },
        rules: [
          { match: /[05]$/, outcome: 'answer', ringMs: 4000, talkMs: 25_000 },
          { match: /[14]$/, outcome: 'answer', ringMs: 7000, talkMs: 9000 },
          { match: /[23]$/, outcome: 'answer', ringMs: 2500, talkMs: 4000 },
        ],
      });
      say(`ARI simulator at ${sim.url} (ring and talk times x0.2).`);
      const worker = new CampaignWorker({ redisUrl, prefix, ari: { url: sim.url, user: 'demo', password: 'demo' }, logger: silentLogger });
      await worker.start();
      const redis = connectRedis(redisUrl);
      const service = new CampaignService({ redis, prefix });
      // The tokens serve would take (DASHBOARD_TOKEN, DASHBOARD_VIEWER_TOKEN, the config file's list): without one
      // the dashboard is open, which it allows on loopback only.
      const tokens = {
        operatorToken: config.dashboardToken,
        viewerToken: config.dashboardViewerToken,
        tokens: config.dashboardTokens.map((t, i) => ({ ...t, setting: `dashboardTokens[${i}] (${t.name})` })),
      };
      const dashboard = (port: number) =>
        startDashboard({
          service,
          redisUrl,
          host: config.dashboardHost,
          port,
          logger: silentLogger,
          recordings: (a) => (a === 'default' ? { url: sim.url, user: 'demo', password: 'demo' } : undefined),
          ...tokens,
        });
      const dash = await dashboard(Number(o.port)).catch((err: unknown) => {
        if ((err as { code?: unknown }).code !== 'EADDRINUSE') throw err;
        return dashboard(0);
      });
      const locked = Boolean(config.dashboardToken || config.dashboardTokens.length);
      say(`Dashboard: ${dash.url}${locked ? ' (log in with DASHBOARD_TOKEN)' : ''}`);
      const created = await service.create({
        // Each run's campaign has a name of its own: the list still shows earlier runs.
        name: `demo ${new Date().toISOString().slice(0, 19).replace('T', ' ')} UTC`,
        settings: {
          endpoint: 'SIP/trunk/{number}',
          callerId: '5550100',
          cps: 10,
          maxConcurrent: 15,
          timeoutS: 20,
          retry: 'busy=1@3s,no_answer=1@3s,congestion=1@2s,machine=1@5s',
          // The simulator's AMD takes numbers ending in 4 for machines: they get the voicemail drop, and one more call.
          amd: { onMachine: 'voicemail-drop,s,1' },
          // People hear a press-1 message: the simulator's callees press 1 or 9 by their number's next-to-last digit.
          message: { media: 'sound:demo-promo', press: ['1=sales,s,1', '9=optout'], pressWaitS: 2 },
          // Every answered call is recorded on the simulator: the results table plays it.
          record: 'answered',
        },
        open: () => createReadStream(o.csv),
        skipInvalid: true,
      });
      const id = created.id!;
      const optedOutBefore = created.suppressed ? `, ${created.suppressed} on the do-not-call list (opted out in an earlier run)` : '';
      say(`Campaign ${id}: ${created.accepted} numbers to dial (${created.rejected} rejected, ${created.duplicates} duplicates${optedOutBefore}).`);
      const bar = new ProgressBar(process.stdout);
      for (;;) {
        const s = await service.status(id);
        bar.update('dialing', s.counters.done, s.counters.total, `in flight ${s.counters.inflight}`);
        if (s.state === 'finished' || s.state === 'cancelled') break;
        await new Promise((r) => setTimeout(r, 200));
      }
      bar.done();
      const summary = await summarizeCampaign(service, id);
      say(
        `Done: ${summary.numbers} numbers, ${summary.attempts} attempts, answer rate ${(summary.asr * 100).toFixed(1)} %, average talk ${summary.acd_s.toFixed(1)} s.`,
      );
      say(
        `Outcomes: ${Object.entries(summary.by_disposition)
          .filter(([, n]) => n > 0)
          .map(([d, n]) => `${d} ${n}`)
          .join(', ')}`,
      );
      if (summary.amd) {
        const a = summary.amd;
        say(
          `AMD: ${a.calls} calls heard, ${(a.human_rate * 100).toFixed(1)} % people, ${(a.machine_rate * 100).toFixed(1)} % machines (voicemail drop), ${a.avg_ms} ms on average to tell.`,
        );
      }
      if (summary.message) {
        const m = summary.message;
        const keys =
          Object.entries(m.press_rate)
            .map(([k, r]) => `${k} ${(r * 100).toFixed(1)} %`)
            .join(', ') || 'none';
        say(
          `Press-1 message: ${m.calls} people heard it (${m.avg_heard_s.toFixed(1)} s on average); pressed ${keys}; ${m.opted_out} opted out (now in the suppression list).`,
        );
      }
      say(`Report: ari-dialer campaign report ${id} --format csv (with DIALER_PREFIX='${prefix}'), or download it from the dashboard.`);
      const stop = async () => {
        await dash.close();
        await worker.stop(1000);
        await service.close();
        redis.disconnect();
        await sim.stop();
        await priv?.stop();
      };
      if (o.exit) return stop();
      say('The dashboard stays up; press Ctrl+C to stop.');
      await onShutdown(stop);
    });
}
