import * as ev from '../ari-events.js';
import { SOFTHANGUP } from '../causes.js';
import { SimChannel, type ChannelIds, type DialplanTarget } from '../channel-model.js';
import type { EventBus } from '../event-bus.js';
import { ariError, ok, type RestResult } from '../http-io.js';
import type { Params } from '../params.js';
import type { ChannelOwner, ChannelRegistry } from '../registry.js';
import type { LiveRecordings } from './live-recordings.js';

/** What snoop channels need from the simulator. */
export interface SnoopsEnv {
  readonly bus: EventBus;
  readonly registry: ChannelRegistry;
  readonly ids: ChannelIds;
  readonly recordings: LiveRecordings;
  /** The snoopRefused fault: stasis_app_control_snoop fails (no timer, audiohook refused). */
  refused(): boolean;
}

const DIRECTIONS = ['none', 'both', 'out', 'in'];

/**
 * Snoop channels (res/res_stasis_snoop.c): `POST /channels/{id}/snoop?spy=both&app=…` makes a `Snoop/<spied
 * uniqueid>-<seq>` channel, Up at once, whose own thread enters the app (its own StasisStart, after the 200). It
 * hears the spied channel through an audiohook, so it lives on while that channel runs the dialplan after
 * `continue`, and hangs up when the spied channel is gone: its recordings finish, then its StasisEnd. A snoop is a
 * channel of our app, never a call.
 */
export class Snoops {
  private readonly alive = new Set<Snoop>();

  constructor(private readonly env: SnoopsEnv) {}

  /** Asterisk went away: every snoop goes without a word to anyone. */
  vanishAll(): void {
    for (const snoop of this.alive) snoop.vanish();
    this.alive.clear();
  }

  /** POST /channels/{channelId}/snoop and /snoop/{snoopId}, in ari_channels_handle_snoop_channel's order. */
  snoop(channelId: string, params: Params, snoopIdInPath?: string): RestResult {
    const spy = params.str('spy') ?? 'none';
    if (!DIRECTIONS.includes(spy)) return ariError(400, 'Invalid direction specified for spy');
    const whisper = params.str('whisper') ?? 'none';
    if (!DIRECTIONS.includes(whisper)) return ariError(400, 'Invalid direction specified for whisper');
    if (spy === 'none' && whisper === 'none') return ariError(400, 'Direction must be specified for at least spy or whisper');
    const app = params.str('app');
    if (!app) return ariError(400, 'Application name is required');
    const spied = this.env.registry.get(channelId);
    if (!spied) return ariError(404, 'Provided channel was not found');
    const id = snoopIdInPath ?? params.str('snoopId') ?? this.env.ids.nextUniqueId();
    // ast_channel_alloc refuses a unique id in use; the snoop then "could not be created".
    if (this.env.refused() || this.env.registry.has(id)) return ariError(500, 'Snoop channel could not be created');
    const name = `Snoop/${spied.channel.id}-${this.env.ids.nextNameSuffix('Snoop')}`;
    const channel = new SimChannel(
      id,
      name,
      'Up',
      '',
      { name: '', number: '' },
      { context: 'default', exten: 's', priority: 1, app_name: '', app_data: '' },
      Date.now(),
      false,
    );
    const snoop = new Snoop(this.env, channel, app, params.str('appArgs'), () => this.alive.delete(snoop));
    this.alive.add(snoop);
    this.env.registry.add(channel, snoop);
    this.env.registry.whenGone(spied.channel.id, () => snoop.hangUp());
    const answer = ok(channel.toJSON());
    setImmediate(() => snoop.enterApp());
    return answer;
  }
}

/** One snoop channel: in Stasis from its StasisStart until the spied channel goes (or it is hung up). */
class Snoop implements ChannelOwner {
  private inApp = false;
  private gone = false;

  constructor(
    private readonly env: SnoopsEnv,
    readonly channel: SimChannel,
    private readonly app: string,
    private readonly appArgs: string | undefined,
    private readonly onGone: () => void,
  ) {}

  vanish(): void {
    this.gone = true;
    this.channel.subscribers.clear();
  }

  /** snoop_stasis_thread: stasis_app_exec(); without a socket for the app it fails and the snoop hangs up. */
  enterApp(): void {
    if (this.gone) return;
    const { channel, app } = this;
    if (!this.env.bus.isActive(app)) return this.destroy();
    channel.setDialplan({ app_name: 'Stasis', app_data: this.appArgs ? `${app},${this.appArgs}` : app });
    this.env.bus.subscribe(app, channel);
    this.inApp = true;
    this.env.bus.sendToApp(app, ev.stasisStart(channel, this.appArgs ? this.appArgs.split(',') : []));
  }

  inStasis(channel: SimChannel): boolean {
    return this.inApp && channel === this.channel;
  }

  /** The spied channel is gone: the audiohook ends, the snoop's read fails, and its thread hangs it up. */
  hangUp(): void {
    this.leave();
  }

  hangupRequested(channel: SimChannel): void {
    if (this.gone) return;
    this.env.bus.publish(channel, ev.channelHangupRequest(channel, SOFTHANGUP.EXPLICIT, true));
    this.leave();
  }

  /** Leaving Stasis ends a snoop: its thread hangs it up once stasis_app_exec returns. */
  continueInDialplan(_target: DialplanTarget): void {
    this.leave();
  }

  setVariable(channel: SimChannel, name: string, value: string): void {
    channel.variables.set(name, value);
    this.env.bus.publish(channel, ev.channelVarset(channel, name, value));
  }

  private leave(): void {
    if (this.gone) return;
    this.env.recordings.stopAllOn(this.channel);
    if (this.inApp) this.env.bus.sendToApp(this.app, ev.stasisEnd(this.channel));
    this.inApp = false;
    this.destroy();
  }

  /** After StasisEnd the app is no longer subscribed: the snoop's ChannelDestroyed reaches nobody (as traced). */
  private destroy(): void {
    this.gone = true;
    this.onGone();
    this.env.bus.forget(this.channel);
    this.env.registry.remove(this.channel);
  }
}
