import { randomBytes } from 'node:crypto';
import { parseAriUrl } from '../ari/ari-url.js';
import { AriClient } from '../ari/client.js';
import { AriEventStream } from '../ari/event-stream.js';
import { silentLogger, type Logger } from '../log.js';
import { describePrefixFix, prefixCandidates } from './ari-prefix.js';
import { clockCheck, type ClockSample } from './doctor-clock.js';
import { check, skipped, type DoctorCheck } from './doctor-check.js';
import { probeCheck, type ProbeOptions } from './doctor-probe.js';
import { looksLikeAri, RawAriGet, type RawAnswer } from './raw-ari-get.js';

export interface DoctorAriTarget {
  /** The `asterisks` entry's name, when from the config file. */
  name?: string;
  url: string;
  user: string;
  password: string;
}

export interface AriDoctorOptions {
  /** Stasis app name to check (the one the worker will use). */
  app: string;
  probe?: ProbeOptions;
  /** How long the socket must stay ours. @defaultValue 1000 */
  holdMs: number;
  /** Per request. @defaultValue 3000 */
  timeoutMs: number;
  /** Local clock (tests skew it). */
  now: () => number;
  logger?: Logger;
}

interface Reached {
  /** `http://host:port/prefix/ari`, as found to work. */
  baseUrl: string;
  info: unknown;
}

/** Every ARI check for one Asterisk, in order; a check that needs a failed one is skipped and says why. */
export async function checkAri(target: DoctorAriTarget, o: AriDoctorOptions): Promise<DoctorCheck[]> {
  const url = parseAriUrl(target.url);
  const authorization = `Basic ${Buffer.from(`${target.user}:${target.password}`).toString('base64')}`;
  const http = new RawAriGet(authorization, o.timeoutMs, o.now);
  const out: DoctorCheck[] = [];
  try {
    const reached = await reach(http, url.origin, url.basePath, target, out);
    if (!reached) {
      out.push(skipped('ari.amd', 'Answering machine detection (app_amd)', 'ARI is not usable'));
      if (o.probe) out.push(skipped('ari.probe', `Test call to ${o.probe.endpoint}`, 'ARI is not usable'));
      out.push(skipped('ari.clock', 'Clock skew with Asterisk', 'ARI is not usable'));
      return out;
    }
    out.push(versionCheck(reached.info));
    out.push(amdCheck(await http.get(`${reached.baseUrl}/asterisk/modules/app_amd.so`)));
    const clock: ClockSample[] = [];
    const ping = await http.get(`${reached.baseUrl}/asterisk/ping`);
    await socketChecks(reached.baseUrl, target, http, o, out, clock);
    out.push(clockCheck(ping, clock));
    return out;
  } finally {
    await http.close();
  }
}

async function reach(http: RawAriGet, origin: string, basePath: string, target: DoctorAriTarget, out: DoctorCheck[]): Promise<Reached | undefined> {
  const shown = `${origin}${basePath}`;
  const first = await http.get(`${shown}/asterisk/info`);
  const later = (because: string) => {
    out.push(skipped('ari.auth', 'ARI credentials', because));
    out.push(skipped('ari.websocket', 'ARI WebSocket', because));
  };
  if (first.kind === 'unreachable') {
    out.push(
      check(
        'ari.reachable',
        'ARI reachable',
        'fail',
        `nothing answers at ${shown} (${first.reason})`,
        'start Asterisk, or make the URL match http.conf: enabled = yes, bindaddr and bindport (and a firewall that lets this machine in)',
      ),
    );
    later('ARI is not reachable');
    return undefined;
  }
  let baseUrl = shown;
  let answer: RawAnswer = first;
  if (!looksLikeAri(first)) {
    const found = await findPrefix(http, origin, basePath);
    if (!found) {
      out.push(
        check(
          'ari.reachable',
          'ARI reachable',
          'fail',
          `${origin} answers ${first.status} for ${basePath}/asterisk/info, and no usual prefix works either: this is not ARI`,
          'check the URL; in Asterisk: http.conf enabled = yes (and its prefix, which goes before /ari), ari.conf [general] enabled = yes, module res_ari.so loaded ("module show like res_ari")',
        ),
      );
      later('ARI was not found');
      return undefined;
    }
    baseUrl = `${origin}${found.path}`;
    answer = found.answer;
    out.push(
      check(
        'ari.reachable',
        'ARI reachable',
        'fail',
        `${shown} answers ${first.status}, but ARI answers at ${baseUrl}: ${describePrefixFix(basePath, found.path)}`,
        `set ARI_URL=${baseUrl} (or the url of this server in the config file); the checks below used it`,
      ),
    );
  } else {
    out.push(check('ari.reachable', 'ARI reachable', 'pass', `${shown} answers`));
  }
  if (answer.kind === 'answer' && answer.status === 401) {
    out.push(
      check(
        'ari.auth',
        'ARI credentials',
        'fail',
        `user ${JSON.stringify(target.user)} was refused (401 Unauthorized)`,
        `check the [${target.user}] section of ari.conf: type = user, and its password (password_format = plain unless it is a crypt hash) must be ARI_PASSWORD; ` +
          '"ari show users" lists the users Asterisk knows, "module reload res_ari.so" reads ari.conf again',
      ),
    );
    out.push(skipped('ari.websocket', 'ARI WebSocket', 'the credentials were refused'));
    return undefined;
  }
  out.push(check('ari.auth', 'ARI credentials', 'pass', `user ${JSON.stringify(target.user)} accepted`));
  return { baseUrl, info: answer.kind === 'answer' ? answer.json : undefined };
}

/**
 * `--amd` needs app_amd (res/ari/resource_asterisk.c: 404 when the module is not running). A warning, not a failure:
 * campaigns without AMD do not need it. ARI has no way to read the dialplan, so the AMD context is named, not checked.
 */
function amdCheck(a: RawAnswer): DoctorCheck {
  const title = 'Answering machine detection (app_amd)';
  const context =
    'ARI cannot read the dialplan: check the AMD context yourself (`asterisk -rx "dialplan show ari-dialer-amd"`; docs/amd-and-messages.md, "Answering machine detection")';
  if (a.kind === 'answer' && a.status === 200) {
    const status = (a.json as { status?: unknown } | null)?.status;
    return check('ari.amd', title, 'pass', `app_amd.so is loaded (${typeof status === 'string' ? status : 'status unknown'}). ${context}`);
  }
  if (a.kind === 'answer' && a.status === 404) {
    return check(
      'ari.amd',
      title,
      'warn',
      'app_amd.so is not loaded: a campaign with --amd would end every answered call in the AMD context',
      'load it (`asterisk -rx "module load app_amd.so"`, and `load => app_amd.so` in modules.conf if autoload is off), or run campaigns without --amd',
    );
  }
  return check('ari.amd', title, 'warn', `could not ask Asterisk about app_amd.so (${a.kind === 'answer' ? `HTTP ${a.status}` : a.reason})`);
}

async function findPrefix(http: RawAriGet, origin: string, basePath: string): Promise<{ path: string; answer: RawAnswer } | undefined> {
  for (const path of prefixCandidates(basePath)) {
    const answer = await http.get(`${origin}${path}/asterisk/info`);
    if (looksLikeAri(answer)) return { path, answer };
  }
  return undefined;
}

function versionCheck(info: unknown): DoctorCheck {
  const system = (info as { system?: { version?: unknown } } | undefined)?.system;
  const version = typeof system?.version === 'string' ? system.version : undefined;
  if (!version) return check('ari.version', 'Asterisk version', 'warn', 'GET /asterisk/info did not say', 'check that the ARI user may read /asterisk/info');
  const major = Number(version.split('.')[0]);
  if (major > 0 && major < 16) {
    return check(
      'ari.version',
      'Asterisk version',
      'warn',
      `Asterisk ${version}`,
      'ari-dialer is tested against Asterisk 16 and later (originate with channelId, continue, /asterisk/ping)',
    );
  }
  return check('ari.version', 'Asterisk version', 'pass', `Asterisk ${version}`);
}

/** Whether our app name is free, then: the socket opens, stays ours for holdMs, and (with --probe) a call goes through. */
async function socketChecks(
  baseUrl: string,
  target: DoctorAriTarget,
  http: RawAriGet,
  o: AriDoctorOptions,
  out: DoctorCheck[],
  clock: ClockSample[],
): Promise<void> {
  const apps = await http.get(`${baseUrl}/applications`);
  const names = apps.kind === 'answer' && Array.isArray(apps.json) ? (apps.json as Array<{ name?: unknown }>).map((a) => a.name) : undefined;
  let app = o.app;
  if (names === undefined) {
    out.push(check('ari.app', 'Stasis app name', 'warn', `could not list applications (${apps.kind === 'answer' ? apps.status : apps.reason})`));
  } else if (names.includes(o.app)) {
    out.push(
      check(
        'ari.app',
        'Stasis app name',
        'fail',
        `${JSON.stringify(o.app)} is already held by another connection: a second process with this name takes it over (ApplicationReplaced) and the first stops hearing its calls`,
        "give every worker process its own ARI_APP (or leave it unset: ari-dialer-<host>-<pid>); if the holder is this machine's running worker, run doctor with another --app",
      ),
    );
    // Connecting under that name would steal it from its holder: test the socket under a name of our own.
    app = `ari-dialer-doctor-${randomBytes(3).toString('hex')}`;
  } else {
    out.push(check('ari.app', 'Stasis app name', 'pass', `${JSON.stringify(o.app)} is free`));
  }
  const log = o.logger ?? silentLogger;
  const stream = new AriEventStream({
    url: baseUrl,
    user: target.user,
    password: target.password,
    app,
    connectTimeoutMs: o.timeoutMs,
    pingIntervalMs: 60_000,
    logger: log,
  });
  let replaced = false;
  let closed: { code: number; reason: string } | undefined;
  stream.on('replaced', () => (replaced = true));
  stream.on('disconnected', ({ code, reason }) => (closed ??= { code, reason }));
  stream.on('event', ({ event }) => {
    const ts = (event as { timestamp?: unknown }).timestamp;
    if (typeof ts === 'string') clock.push({ asteriskMs: Date.parse(ts), localMs: o.now() });
  });
  const title = 'ARI WebSocket';
  try {
    await stream.start();
  } catch (err) {
    out.push(
      check(
        'ari.websocket',
        title,
        'fail',
        `the event socket did not open: ${(err as Error).message}`,
        'a proxy in between must pass WebSocket upgrades; http.conf must allow the connection',
      ),
    );
    if (o.probe) out.push(skipped('ari.probe', `Test call to ${o.probe.endpoint}`, 'the event socket did not open'));
    await stream.close();
    return;
  }
  await new Promise((r) => setTimeout(r, o.holdMs));
  const as = app === o.app ? '' : ` (as ${app})`;
  if (replaced) {
    out.push(
      check(
        'ari.websocket',
        title,
        'fail',
        `opened${as}, then another connection took app ${JSON.stringify(app)} within ${o.holdMs / 1000} s (ApplicationReplaced)`,
        'another process keeps connecting with this app name (a second worker with the same ARI_APP?): give each its own',
      ),
    );
  } else if (!stream.connected) {
    out.push(
      check(
        'ari.websocket',
        title,
        'fail',
        `opened${as}, then closed within ${o.holdMs / 1000} s (${closed?.code ?? '?'} ${closed?.reason ?? ''})`.trim(),
        "look at Asterisk's log for the reason",
      ),
    );
  } else {
    out.push(check('ari.websocket', title, 'pass', `opened for app ${JSON.stringify(app)} and stayed ours for ${o.holdMs / 1000} s`));
  }
  if (o.probe) {
    if (replaced || !stream.connected) out.push(skipped('ari.probe', `Test call to ${o.probe.endpoint}`, 'the event socket is not ours'));
    else {
      const ari = new AriClient({ url: baseUrl, user: target.user, password: target.password, requestTimeoutMs: o.timeoutMs, connections: 2, logger: log });
      try {
        out.push(await probeCheck({ ari, events: stream, log }, o.probe));
      } finally {
        await ari.close();
      }
    }
  }
  await stream.close();
}
