import { simAmdStatus } from './amd-model.js';
import { Call, type CallEnv } from './call-script.js';
import type { LiveCall } from './call-env.js';
import { calleeScriptFor } from './callee-script.js';
import type { PlaybackRegistry } from './playback.js';
import { originateTimeoutMs, timelineFor } from './call-timeline.js';
import { OUTGOING_APP, SimChannel, parseCallerId, protocolIdFor, type ChannelIds, type DialplanTarget } from './channel-model.js';
import type { EventBus } from './event-bus.js';
import { ALLOCATION_FAILED, ariError, ok, type RestResult } from './http-io.js';
import type { DeadTrunk } from './faults.js';
import type { Params } from './params.js';
import type { ChannelRegistry } from './registry.js';
import type { CallPlan, OutcomeRules } from './rules.js';
import { countOriginate, type SimStats } from './stats.js';
import { parseEndpoint } from './technologies.js';

/** AST_MAX_PUBLIC_UNIQUEID */
const MAX_UNIQUEID = 149;

/** What an originate needs around it. */
export interface OriginateDeps {
  readonly bus: EventBus;
  readonly registry: ChannelRegistry;
  readonly ids: ChannelIds;
  readonly rules: OutcomeRules;
  readonly stats: SimStats;
  readonly callEnv: CallEnv;
  /** Calls alive, so a restart can make them vanish. */
  readonly calls: Set<LiveCall>;
  /** Asterisk is shutting down: ast_channel_alloc refuses every new channel (main/channel.c). */
  readonly refusingChannels: () => boolean;
  /** Every live playback, by id. */
  readonly playbacks: PlaybackRegistry;
  /** AriSimOptions.sounds. */
  readonly sounds: Readonly<Record<string, number | null>>;
  /** The trunkDown fault: the dead trunk an endpoint goes through, if any. */
  readonly deadTrunkFor: (endpoint: string) => DeadTrunk | undefined;
}

/** A resource naming this cannot be reached (chan_sip: no such peer, and the host does not resolve). */
const UNREACHABLE_KEYWORD = 'nosuch';

/**
 * POST /channels and POST /channels/{channelId}: validates in resource_channels.c's order, allocates the channel(s),
 * starts the call script (whose first events go out before this returns, so before the HTTP answer), and answers
 * with the channel as it was at creation (state Down).
 */
export function originate(deps: OriginateDeps, params: Params, pathChannelId?: string): RestResult {
  const channelId = pathChannelId ?? params.str('channelId');
  const otherChannelId = params.str('otherChannelId');
  if ((channelId?.length ?? 0) > MAX_UNIQUEID || (otherChannelId?.length ?? 0) > MAX_UNIQUEID) {
    return ariError(400, `Uniqueid length exceeds maximum of ${MAX_UNIQUEID}`);
  }
  const endpointParam = params.str('endpoint');
  if (!endpointParam) return ariError(400, 'Endpoint must be specified');
  if (params.str('originator') && params.str('formats')) {
    return ariError(400, "Originator and formats can't both be specified");
  }
  const endpoint = parseEndpoint(endpointParam);
  if (endpoint === 'missing' || endpoint === 'no-slash') return ariError(400, 'Invalid endpoint specified');
  const app = params.str('app');
  const extension = params.str('extension');
  if (!app && !extension) return ariError(400, 'Application or extension must be specified');
  const originator = params.str('originator');
  if (originator && !deps.registry.has(originator)) {
    return ariError(400, 'Provided originator channel was not found');
  }
  // Allocation: an unknown driver fails here, as does any channel during a shutdown (before the id is even checked),
  // then an id already in use.
  if (endpoint === 'unknown-technology' || deps.refusingChannels()) return ALLOCATION_FAILED;
  // The driver itself fails to create the channel, before any id check.
  const deadTrunk = deps.deadTrunkFor(endpointParam);
  if (deadTrunk?.mode === 'refuse' || endpoint.resource.toLowerCase().includes(UNREACHABLE_KEYWORD)) return ALLOCATION_FAILED;
  const isLocal = endpoint.tech.local;
  const mainId = channelId || deps.ids.nextUniqueId();
  const peerId = isLocal ? otherChannelId || (channelId ? `${channelId};2` : undefined) : undefined;
  if (deps.registry.has(mainId) || (peerId !== undefined && deps.registry.has(peerId))) {
    return ariError(409, 'Channel with given unique ID already exists');
  }

  const now = Date.now();
  const caller = parseCallerId(params.str('callerId'));
  const suffix = deps.ids.nextNameSuffix(endpoint.tech.name);
  const main = new SimChannel(
    mainId,
    isLocal ? `${endpoint.namePrefix}-${suffix};1` : `${endpoint.namePrefix}-${suffix}`,
    'Down',
    protocolIdFor(endpoint),
    caller,
    { context: endpoint.context, exten: endpoint.exten, priority: 1, ...OUTGOING_APP },
    now,
    false,
  );
  const peer = isLocal
    ? new SimChannel(
        peerId ?? deps.ids.nextUniqueId(now),
        `${endpoint.namePrefix}-${suffix};2`,
        'Ring',
        '',
        caller,
        { context: endpoint.context, exten: endpoint.exten, priority: 1, app_name: '', app_data: '' },
        now,
        true,
      )
    : undefined;
  for (const [name, value] of params.variables()) main.variables.set(name, value);

  const decided = deps.rules.decide(endpointParam);
  // A dead trunk fails whatever would have happened; a media driver answers when called (the keyword and number
  // rules are about phones); your own rules still win over the latter.
  const plan: CallPlan = deadTrunk
    ? { ...decided, outcome: deadTrunk.cause === 34 ? 'congestion' : 'failed', ringMs: undefined }
    : endpoint.tech.answersAtOnce && decided.source !== 'rule'
      ? { ...decided, outcome: 'answer', ringMs: 0 }
      : decided;
  const amd = simAmdStatus(endpointParam, plan.amd);
  const callee = calleeScriptFor({
    endpoint,
    endpointText: endpointParam,
    amd,
    rulePress: plan.press,
    rulePressAtMs: plan.pressAtMs,
    greetingMs: plan.greetingMs,
  });
  const timeline = timelineFor(plan, endpoint.tech, originateTimeoutMs(params.int('timeout')));
  const call = new Call(deps.callEnv, {
    endpoint,
    // The lab's callee contexts answer at once: Answer() is their first step, no Ringing().
    timeline: callee.lab !== 'plain' && timeline.end === 'answer' ? { ...timeline, ringAt: undefined, endAt: 0 } : timeline,
    main,
    peer,
    app: app || undefined,
    appArgs: app ? splitArgs(params.str('appArgs')) : [],
    amd,
    callee,
    extension: app ? undefined : extensionTarget(params, extension!),
  });
  deps.registry.add(main, call);
  if (peer) deps.registry.add(peer, call);
  deps.calls.add(call);
  // The app hears about both halves only if it exists now; an unknown app silently gets nothing.
  if (app && deps.bus.hasApp(app)) {
    deps.bus.subscribe(app, main);
    if (peer) deps.bus.subscribe(app, peer);
  }
  countOriginate(deps.stats, endpointParam, mainId, now);
  deps.callEnv.log.debug({ channelId: mainId, endpoint: endpointParam, outcome: plan.outcome, source: plan.source }, 'originate');

  const answer = ok(main.toJSON());
  call.start();
  return answer;
}

function splitArgs(appArgs: string | undefined): string[] {
  return appArgs ? appArgs.split(',') : [];
}

function extensionTarget(params: Params, exten: string): DialplanTarget {
  const priority = params.int('priority');
  return { context: params.str('context') || 'default', exten, priority: priority && priority > 0 ? priority : 1 };
}
