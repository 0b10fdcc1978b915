import { hostname } from 'node:os';
import { Command, CommanderError, Option } from 'commander';
import { AriClient } from '../ari/client.js';
import { AriEventStream } from '../ari/event-stream.js';
import { explainAllocationFailure } from '../dialer/allocation-failure.js';
import { runCall } from '../dialer/call.js';
import type { CallResult } from '../dialer/call-result.js';
import { oneOffChannelId } from '../dialer/channel-id.js';
import { checkEndpointShape } from '../dialer/endpoint-shape.js';
import { DialerError } from '../errors.js';
import { createLogger, silentLogger } from '../log.js';
import { AriSim } from '../sim/index.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { parseIntArg } from './parse-args.js';

interface DialFlags {
  url?: string;
  user?: string;
  password?: string;
  app?: string;
  sim?: boolean;
  timeScale: string;
  pretty?: boolean;
  maxCall?: string;
  verbose?: boolean;
}

/**
 * `dial ENDPOINT CALLERID CONTEXT EXTENSION PRIORITY TIMEOUT`: the seed script's interface, done right.
 * Prints one JSON result; returns the exit code (0 answered, 1 not answered, 2 usage, 3 error).
 */
export async function runDialCli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const program = new Command('dial')
    .description('Originate one call over ARI, send it to the dialplan when answered, print its result as JSON.')
    .argument('<endpoint>', 'Endpoint, e.g. SIP/operator/123456789 or PJSIP/1001')
    .argument('<callerid>', 'CallerID, e.g. 111111')
    .argument('<context>', "Asterisk context to connect the call to, e.g. default")
    .argument('<extension>', "Context's extension, e.g. s")
    .argument('<priority>', "Context's priority, e.g. 1")
    .argument('<timeout>', 'Originate timeout in seconds, e.g. 60')
    .option('--url <url>', 'ARI base URL (env ARI_URL), e.g. http://127.0.0.1:8088/ari')
    .option('--user <user>', 'ARI user (env ARI_USER)')
    .addOption(new Option('--password <password>', 'ARI password (env ARI_PASSWORD; prefer the env var)'))
    .option('--app <name>', 'Stasis app name (env ARI_APP); unique per process')
    .option('--sim', 'run against an in-process ARI simulator')
    .option('--time-scale <x>', 'with the simulator: multiply ring and talk times (0.01 = 100x faster)', '1')
    .option('--max-call <seconds>', 'hang up after this many seconds of talk')
    .option('--pretty', 'indent the JSON output')
    .option('-v, --verbose', 'log to stderr')
    // Extra arguments are reported by name below (commander would only count them).
    .allowExcessArguments(true)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  let positional: string[];
  let flags: DialFlags;
  try {
    program.parse(argv, { from: 'user' });
    positional = program.args;
    flags = program.opts<DialFlags>();
    if (positional.length > 6) {
      process.stderr.write(`dial: unexpected extra argument${positional.length > 7 ? 's' : ''} ${positional.slice(6).map((a) => JSON.stringify(a)).join(' ')} (expected ENDPOINT CALLERID CONTEXT EXTENSION PRIORITY TIMEOUT)\n`);
      return EXIT.USAGE;
    }
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    throw err;
  }

  let params;
  try {
    const [endpoint, callerId, context, extension, priority, timeout] = positional as [string, string, string, string, string, string];
    params = {
      endpoint: checkEndpointShape('endpoint', endpoint),
      callerId,
      context,
      extension,
      priority: parseIntArg('priority', priority),
      timeoutS: parseIntArg('timeout', timeout, { max: 86_400 }),
      maxCallS: flags.maxCall !== undefined ? parseIntArg('--max-call', flags.maxCall) : undefined,
    };
  } catch (err) {
    process.stderr.write(`dial: ${(err as Error).message}\n`);
    return EXIT.USAGE;
  }

  const log = flags.verbose ? createLogger({ level: env.LOG_LEVEL ?? 'debug' }) : silentLogger;
  const url = flags.url ?? env.ARI_URL;
  const useSim = flags.sim === true || !url;
  let sim: AriSim | undefined;
  if (useSim) {
    if (!flags.sim) process.stderr.write('dial: ARI_URL is not set: using the built-in ARI simulator (set ARI_URL to dial a real Asterisk)\n');
    const timeScale = Number(flags.timeScale);
    if (!(timeScale > 0 && timeScale <= 100)) {
      process.stderr.write(`dial: --time-scale: must be a number above 0, got ${JSON.stringify(flags.timeScale)}\n`);
      return EXIT.USAGE;
    }
    sim = await AriSim.start({ users: { dialer: 'dialer' }, logger: log, timeScale });
  }
  const ariUrl = sim ? sim.url : (url as string);
  const user = sim ? 'dialer' : (flags.user ?? env.ARI_USER);
  const password = sim ? 'dialer' : (flags.password ?? env.ARI_PASSWORD);
  const app = flags.app ?? env.ARI_APP ?? `dial-${hostname()}-${process.pid}`;
  // Asterisk splits ?app= on commas and a space cannot travel in it: refuse before connecting.
  if (!/^[A-Za-z0-9._-]+$/.test(app)) {
    process.stderr.write(`dial: ${flags.app !== undefined ? '--app' : 'ARI_APP'}: a Stasis app name may hold letters, digits, '.', '_' and '-' only, got ${JSON.stringify(app)}\n`);
    await sim?.stop();
    return EXIT.USAGE;
  }

  const ari = new AriClient({ url: ariUrl, user, password, logger: log });
  const events = new AriEventStream({ url: ariUrl, user, password, app, logger: log });
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let result: CallResult;
  try {
    await events.start();
    result = explainAllocationFailure(await runCall({ ari, events, log }, { ...params, channelId: oneOffChannelId(), signal: abort.signal }));
  } catch (err) {
    result = connectionErrorResult(err, params.endpoint, params.callerId);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await events.close();
    await ari.close();
    await sim?.stop();
  }
  process.stdout.write(`${JSON.stringify(result, null, flags.pretty ? 2 : undefined)}\n`);
  return exitCodeFor(result);
}

/** The socket could not even open (refused, 401, not ARI): still one JSON result, status error. */
function connectionErrorResult(err: unknown, endpoint: string, callerid: string): CallResult {
  const now = new Date().toISOString();
  const message = err instanceof DialerError ? err.message : String(err);
  return {
    status: 'error',
    answered: false,
    cause: 0,
    cause_txt: 'Unknown',
    message,
    disposition: 'ERROR',
    channel_id: '',
    endpoint,
    callerid,
    created_at: now,
    answered_at: null,
    ended_at: now,
    ring_s: 0,
    talk_s: 0,
    duration: 0,
    ...(typeof (err as { status?: unknown }).status === 'number' ? { http_status: (err as { status: number }).status } : {}),
  };
}
