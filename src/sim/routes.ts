import { randomUUID } from 'node:crypto';
import { resolveAriPath } from './ari-paths.js';
import { playbackJson } from './playback.js';
import { causeForHangupReason, CAUSE } from './causes.js';
import { asteriskTimestamp } from './channel-model.js';
import { ASTERISK_ID } from './event-bus.js';
import { ASTERISK_VERSION, NO_CONTENT, ariError, ok, type RestResult } from './http-io.js';
import { originate, type OriginateDeps } from './originate.js';
import type { SimModules } from './modules.js';
import type { Params } from './params.js';

export interface RouteDeps extends OriginateDeps {
  /** When the simulated Asterisk (re)started, for /asterisk/info. */
  readonly startedAt: () => number;
  readonly modules: SimModules;
  /** Snoop, record and the recording store (recording/sim-recording.ts), by `METHOD template`. */
  readonly recordingRoutes: ReadonlyMap<string, (params: Params, vars: Readonly<Record<string, string>>) => RestResult>;
}

type Handler = (deps: RouteDeps, params: Params, vars: Readonly<Record<string, string>>) => RestResult;

const NOT_FOUND = (): RestResult => ariError(404, 'Channel not found');

/** Handlers by `METHOD template`; every other real ARI path answers 501. */
const HANDLERS: ReadonlyMap<string, Handler> = new Map<string, Handler>([
  ['GET asterisk/info', (d, p) => asteriskInfo(d, p)],
  ['GET asterisk/ping', () => ok({ ping: 'pong', timestamp: asteriskTimestamp(), asterisk_id: ASTERISK_ID })],
  ['GET asterisk/modules', (d) => d.modules.list()],
  ['GET asterisk/modules/{moduleName}', (d, _p, v) => d.modules.get(v.moduleName!)],
  ['GET applications', (d) => ok(d.bus.listApps())],
  [
    'GET applications/{applicationName}',
    (d, _p, v) => {
      const app = d.bus.appJson(v.applicationName!);
      return app ? ok(app) : ariError(404, 'Application not found');
    },
  ],
  ['POST applications/{applicationName}/subscription', (d, p, v) => subscription(d, p, v.applicationName!, true)],
  ['DELETE applications/{applicationName}/subscription', (d, p, v) => subscription(d, p, v.applicationName!, false)],
  ['GET channels', (d) => ok(d.registry.snapshot())],
  ['POST channels', (d, p) => originate(d, p)],
  ['POST channels/{channelId}', (d, p, v) => originate(d, p, v.channelId)],
  [
    'GET channels/{channelId}',
    (d, _p, v) => {
      const entry = d.registry.get(v.channelId!);
      return entry ? ok(entry.channel.toJSON()) : NOT_FOUND();
    },
  ],
  ['DELETE channels/{channelId}', (d, p, v) => hangup(d, p, v.channelId!)],
  ['POST channels/{channelId}/continue', (d, p, v) => continueInDialplan(d, p, v.channelId!)],
  ['POST channels/{channelId}/variable', (d, p, v) => setVariable(d, p, v.channelId!)],
  ['POST channels/{channelId}/play', (d, p, v) => play(d, p, v.channelId!, p.str('playbackId'))],
  ['POST channels/{channelId}/play/{playbackId}', (d, p, v) => play(d, p, v.channelId!, v.playbackId)],
  [
    'GET playbacks/{playbackId}',
    (d, _p, v) => {
      const found = d.playbacks.get(v.playbackId!);
      return found ? ok(playbackJson(found.pb)) : ariError(404, 'Playback not found');
    },
  ],
  [
    'DELETE playbacks/{playbackId}',
    (d, _p, v) => {
      const found = d.playbacks.get(v.playbackId!);
      if (!found) return ariError(404, 'Playback not found');
      found.queue.stop(found.pb);
      return NO_CONTENT;
    },
  ],
  [
    'POST channels/{channelId}/answer',
    (d, _p, v) => {
      const entry = d.registry.get(v.channelId!);
      if (!entry) return NOT_FOUND();
      // Originated channels enter Stasis already answered, so this is the no-op Asterisk makes it.
      return entry.owner.inStasis(entry.channel) ? NO_CONTENT : ariError(409, 'Channel not in Stasis application');
    },
  ],
]);

/** Routes one authenticated ARI request (`path` relative to `/ari/`). */
export function handleRest(deps: RouteDeps, method: string, path: string, params: Params): RestResult {
  if (path.endsWith('/')) {
    return ariError(404, `ARI URLs do not end with a slash. Try /ari/${path.slice(0, -1)}`);
  }
  const resolved = resolveAriPath(path);
  if (!resolved) return ariError(404, 'Resource not found');
  if (!resolved.methods.includes(method)) {
    return { ...ariError(405, 'Invalid method'), headers: { Allow: resolved.methods.join(',') } };
  }
  const key = `${method} ${resolved.template}`;
  const handler = HANDLERS.get(key);
  if (handler) return handler(deps, params, resolved.vars);
  const recording = deps.recordingRoutes.get(key);
  if (recording) return recording(params, resolved.vars);
  return ariError(501, `${method} /${resolved.template} is not simulated by ari-sim`);
}

function asteriskInfo(deps: RouteDeps, params: Params): RestResult {
  const started = asteriskTimestamp(deps.startedAt());
  const sections: Record<string, unknown> = {
    build: { os: 'Linux', kernel: 'ari-sim', machine: 'x86_64', options: 'OPTIONAL_API', date: started, user: 'ari-sim' },
    system: { version: ASTERISK_VERSION, entity_id: ASTERISK_ID },
    config: { name: '', default_language: 'en', setid: { user: '', group: '' } },
    status: { startup_time: started, last_reload_time: started },
  };
  const only = params.list('only');
  for (const name of only) {
    if (!(name in sections)) return ariError(400, `Unsupported type '${name}'`);
  }
  if (only.length === 0) return ok(sections);
  return ok(Object.fromEntries(Object.entries(sections).filter(([k]) => only.includes(k))));
}

/** Lets another app hear a channel's events (how a restarted dialer adopts calls placed by its predecessor). */
function subscription(deps: RouteDeps, params: Params, appName: string, subscribe: boolean): RestResult {
  const sources = params.list('eventSource');
  if (sources.length === 0) return ariError(400, 'Missing parameter eventSource');
  if (!deps.bus.hasApp(appName)) return ariError(404, 'Application not found');
  for (const source of sources) {
    const colon = source.indexOf(':');
    const scheme = colon >= 0 ? source.slice(0, colon) : '';
    if (!['channel', 'bridge', 'endpoint', 'deviceState'].includes(scheme)) {
      return ariError(400, 'Invalid event source URI scheme');
    }
    const id = source.slice(colon + 1);
    // Only channels are simulated; bridges, endpoints and device states never exist here.
    const entry = scheme === 'channel' ? deps.registry.get(id) : undefined;
    if (subscribe) {
      if (!entry) return ariError(422, 'Event source does not exist');
      deps.bus.subscribe(appName, entry.channel);
    } else if (!entry || !deps.bus.unsubscribe(appName, entry.channel)) {
      return ariError(422, 'Event source was not subscribed to');
    }
  }
  return ok(deps.bus.appJson(appName));
}

function hangup(deps: RouteDeps, params: Params, channelId: string): RestResult {
  const entry = deps.registry.get(channelId);
  if (!entry) return NOT_FOUND();
  const reason = params.str('reason');
  const reasonCode = params.str('reason_code');
  if (reason && reasonCode) return ariError(400, "The reason and reason_code can't both be specified");
  let cause: number = CAUSE.NORMAL_CLEARING;
  if (reasonCode) {
    const n = Number.parseInt(reasonCode, 10);
    if (Number.isNaN(n)) return ariError(400, 'Invalid reason for hangup reason code provided');
    cause = n;
  } else if (reason) {
    const mapped = causeForHangupReason(reason);
    if (mapped === undefined) return ariError(400, 'Invalid reason for hangup reason provided');
    cause = mapped;
  }
  entry.owner.hangupRequested(entry.channel, cause);
  return NO_CONTENT;
}

/** resource_channels.c ast_ari_channels_set_channel_var: a name is required, and the channel must be in Stasis. */
function setVariable(deps: RouteDeps, params: Params, channelId: string): RestResult {
  const variable = params.str('variable');
  if (!variable) return ariError(400, 'Variable name is required');
  const entry = deps.registry.get(channelId);
  if (!entry) return NOT_FOUND();
  if (!entry.owner.inStasis(entry.channel)) return ariError(409, 'Channel not in Stasis application');
  entry.owner.setVariable(entry.channel, variable, params.str('value') ?? '');
  return NO_CONTENT;
}

/**
 * resource_channels.c ari_channels_handle_play: the channel must be in Stasis (else 404/409), past ringing (412),
 * offsets not negative, at least one media; then 201 with the playback, state `queued`. Whether the media exists is
 * only known when it plays (PlaybackFinished `failed`). Several `media` play as one playback here only in order.
 */
function play(deps: RouteDeps, params: Params, channelId: string, playbackId: string | undefined): RestResult {
  const entry = deps.registry.get(channelId);
  if (!entry) return NOT_FOUND();
  if (!entry.owner.inStasis(entry.channel)) return ariError(409, 'Channel not in Stasis application');
  const state = entry.channel.state;
  if (state === 'Down' || state === 'Rsrvd' || state === 'Ringing') return ariError(412, 'Channel in invalid state');
  if ((params.int('skipms') ?? 0) < 0) return ariError(400, 'skipms cannot be negative');
  if ((params.int('offsetms') ?? 0) < 0) return ariError(400, 'offsetms cannot be negative');
  const media = params.list('media');
  if (media.length === 0 || media.some((m) => m === '')) return ariError(500, 'Failed to queue media for playback');
  const id = playbackId || randomUUID();
  const language = params.str('lang') || entry.channel.toJSON().language;
  // One playback per media item, the first answering the POST (a list is rare in practice; ours plays one each).
  if (!entry.owner.play) return ariError(501, 'playing on this kind of channel is not simulated by ari-sim');
  const body = entry.owner.play(id, media[0]!, language, deps.sounds);
  return { status: 201, body, headers: { Location: `/playbacks/${encodeURIComponent(id)}` } };
}

function continueInDialplan(deps: RouteDeps, params: Params, channelId: string): RestResult {
  const entry = deps.registry.get(channelId);
  if (!entry) return NOT_FOUND();
  if (!entry.owner.inStasis(entry.channel)) {
    deps.stats.rejectedContinues += 1;
    return ariError(409, 'Channel not in Stasis application');
  }
  const { dialplan } = entry.channel;
  const context = params.str('context');
  const extension = params.str('extension');
  const label = params.str('label');
  let priority: number;
  if (label) {
    // Labels need a dialplan to resolve; the simulated one is the same everywhere, so a name means priority 1.
    priority = /^\d+$/.test(label) ? Number(label) : 1;
    if (priority === 0) return ariError(400, 'Requested priority is illegal');
  } else if (params.int('priority')) {
    priority = params.int('priority')!;
  } else if (!context && !extension) {
    priority = dialplan.priority + 1;
  } else {
    priority = 1;
  }
  entry.owner.continueInDialplan({
    context: context ?? dialplan.context,
    exten: context ? (extension ?? 's') : (extension ?? dialplan.exten),
    priority,
  });
  deps.stats.continues += 1;
  return NO_CONTENT;
}
