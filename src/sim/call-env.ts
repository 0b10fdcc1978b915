import type { Logger } from '../log.js';
import type { SimAmdStatus } from './amd-model.js';
import type { DialplanTarget, SimChannel } from './channel-model.js';
import type { Timeline } from './call-timeline.js';
import type { EventBus } from './event-bus.js';
import type { ChannelRegistry } from './registry.js';
import type { ParsedEndpoint } from './technologies.js';
import type { CalleeScript } from './callee-script.js';
import type { PlaybackRegistry } from './playback.js';

/** What a call needs from the simulator around it. */
export interface CallEnv {
  readonly bus: EventBus;
  readonly registry: ChannelRegistry;
  /** Simulated ms → real ms (the time scale). */
  scale(ms: number): number;
  /** Cause when the originate timeout expires while ringing. */
  readonly noAnswerCause: number;
  /** How long the continued-to dialplan runs before Hangup(), simulated ms. */
  readonly dialplanMs: number;
  /** The context whose dialplan runs AMD() then Stasis(app,amd,STATUS,CAUSE) (AriSimOptions.amdContext). */
  readonly amdContext: string;
  /** app_amd.so is loaded (AriSimOptions.missingModules does not name it). */
  readonly amdLoaded: boolean;
  /** Every live playback, by id (DELETE /playbacks/{id}). */
  readonly playbacks: PlaybackRegistry;
  /** Called once, when the originated (`;1`) channel is destroyed. */
  onEnded(call: LiveCall): void;
  readonly log: Logger;
}

export interface CallSetup {
  readonly endpoint: ParsedEndpoint;
  readonly timeline: Timeline;
  /** The originated channel (`;1` for Local). */
  readonly main: SimChannel;
  /** The `;2` half of a Local channel. */
  readonly peer: SimChannel | undefined;
  /** Stasis app to enter on answer; undefined for an originate to a dialplan extension. */
  readonly app: string | undefined;
  readonly appArgs: readonly string[];
  /** What AMD() would say of this callee (amd-model.ts). */
  readonly amd: SimAmdStatus;
  /** What the callee does once it has answered: keys, voice, its lab dialplan (callee-script.ts). */
  readonly callee: CalleeScript;
  /** Where an originate without app goes on answer. */
  readonly extension: DialplanTarget | undefined;
}

/** What the simulator does to every call it still holds: hang up at shutdown, vanish at a simulated crash. */
export interface LiveCall {
  hangUpForShutdown(): void;
  vanish(): void;
}
