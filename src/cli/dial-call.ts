import { hostname } from 'node:os';
import { AriClient } from '../ari/client.js';
import { AriEventStream } from '../ari/event-stream.js';
import { explainAllocationFailure } from '../dialer/allocation-failure.js';
import { runCall } from '../dialer/call.js';
import type { CallResult } from '../dialer/call-result.js';
import { oneOffChannelId } from '../dialer/channel-id.js';
import { DialerError } from '../errors.js';
import { createLogger, silentLogger } from '../log.js';
import { AriSim } from '../sim/index.js';
import type { DialFlags, DialParams } from './dial-params.js';
import { EXIT, exitCodeFor } from './exit-codes.js';

/** `dial`'s call, once its arguments are checked: prints one JSON result and returns the exit code. */
export async function placeCall(params: DialParams, flags: DialFlags, env: NodeJS.ProcessEnv): Promise<number> {
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
    process.stderr.write(
      `dial: ${flags.app !== undefined ? '--app' : 'ARI_APP'}: a Stasis app name may hold letters, digits, '.', '_' and '-' only, got ${JSON.stringify(app)}\n`,
    );
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
    const { record, ...call } = params;
    // One Asterisk: it is `default` in the result, as the dashboard names ARI_URL's server.
    const recordOn = record && { ...record, asterisk: 'default' };
    result = explainAllocationFailure(
      await runCall({ ari, events, log }, { ...call, ...(recordOn ? { record: recordOn } : {}), channelId: oneOffChannelId(), signal: abort.signal }),
    );
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
