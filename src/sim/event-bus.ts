import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { silentLogger, type Logger } from '../log.js';
import { asteriskTimestamp, type SimChannel } from './channel-model.js';

/** The entity id the simulated Asterisk reports (asterisk_id, /asterisk/info system.entity_id). */
export const ASTERISK_ID = '02:fc:00:00:00:01';

/**
 * A Stasis application as Asterisk keeps it: it outlives its WebSocket while channels are subscribed to it
 * ("inactive"), so a client that reconnects under the same name gets the events of calls it started before.
 */
interface StasisApp {
  readonly name: string;
  socket: EventSocket | undefined;
  readonly channelIds: Set<string>;
}

/** One connected `/ari/events` WebSocket and the app names it holds. */
interface EventSocket {
  readonly ws: WebSocket;
  /** The TCP stream under `ws`, corked while a burst of events is written (one write instead of one per event). */
  readonly stream: Duplex | undefined;
  readonly apps: Set<string>;
  corked: boolean;
}

/** An event before `asterisk_id` and `application` are added (those two always come last, as Asterisk adds them). */
export type AriEventBody = { type: string } & Record<string, unknown>;

export interface EventBusOptions {
  /** @defaultValue silentLogger */
  logger?: Logger;
}

/**
 * Who hears what: apps by name, their sockets, and per-channel subscriptions. Events of a channel go to every app
 * subscribed to it; events for an app whose socket is gone are dropped, as Asterisk drops them ("Inactive Stasis
 * app missed message").
 */
export class EventBus {
  private readonly apps = new Map<string, StasisApp>();
  private readonly sockets = new Map<WebSocket, EventSocket>();
  private readonly log: Logger;

  constructor(options: EventBusOptions = {}) {
    this.log = options.logger ?? silentLogger;
  }

  /**
   * Registers a new socket for `appNames`. An app already held by another socket moves to this one; the old socket
   * gets ApplicationReplaced and, once it holds no app, is closed.
   */
  attach(ws: WebSocket, appNames: readonly string[], stream?: Duplex): void {
    const socket: EventSocket = { ws, stream, apps: new Set(appNames), corked: false };
    this.sockets.set(ws, socket);
    for (const name of appNames) {
      const app = this.apps.get(name);
      if (!app) {
        this.apps.set(name, { name, socket, channelIds: new Set() });
        continue;
      }
      const old = app.socket;
      app.socket = socket;
      if (old && old !== socket) this.replace(old, name);
    }
    ws.on('close', () => this.detach(ws));
  }

  private replace(old: EventSocket, name: string): void {
    this.log.info({ app: name }, 'stasis app replaced by a new websocket');
    this.sendRaw(old, { type: 'ApplicationReplaced', timestamp: asteriskTimestamp(), application: name, asterisk_id: ASTERISK_ID });
    old.apps.delete(name);
    // Real Asterisk leaves the replaced socket open with nothing to deliver; the simulator closes it once it holds no
    // app, so a client notices. Clients must act on ApplicationReplaced itself (reconnecting would steal the app back).
    if (old.apps.size === 0) old.ws.close(1000, 'Application replaced');
  }

  private detach(ws: WebSocket): void {
    const socket = this.sockets.get(ws);
    if (!socket) return;
    this.sockets.delete(ws);
    for (const name of socket.apps) {
      const app = this.apps.get(name);
      if (app?.socket !== socket) continue;
      app.socket = undefined;
      if (app.channelIds.size === 0) this.apps.delete(name);
    }
  }

  /** An app exists while a socket holds it or channels are subscribed to it. */
  hasApp(name: string): boolean {
    return this.apps.has(name);
  }

  /** Active: a socket is connected for it, so `Stasis()` can enter it. */
  isActive(name: string): boolean {
    return this.apps.get(name)?.socket !== undefined;
  }

  /** Subscribes an existing app to a channel; false when the app does not exist. */
  subscribe(appName: string, channel: SimChannel): boolean {
    const app = this.apps.get(appName);
    if (!app) return false;
    app.channelIds.add(channel.id);
    channel.subscribers.add(appName);
    return true;
  }

  unsubscribe(appName: string, channel: SimChannel): boolean {
    const app = this.apps.get(appName);
    if (!app || !channel.subscribers.delete(appName)) return false;
    app.channelIds.delete(channel.id);
    this.dropIfFinished(app);
    return true;
  }

  /** A destroyed channel leaves every app it was subscribed to. */
  forget(channel: SimChannel): void {
    for (const name of channel.subscribers) {
      const app = this.apps.get(name);
      if (!app) continue;
      app.channelIds.delete(channel.id);
      this.dropIfFinished(app);
    }
    channel.subscribers.clear();
  }

  private dropIfFinished(app: StasisApp): void {
    if (!app.socket && app.channelIds.size === 0) this.apps.delete(app.name);
  }

  /** Sends a channel event to every app subscribed to `channel`. */
  publish(channel: SimChannel, body: AriEventBody): void {
    for (const name of channel.subscribers) this.sendToApp(name, body);
  }

  /** Sends to one app only (StasisStart and StasisEnd go to the Stasis app, not to every subscriber). */
  sendToApp(appName: string, body: AriEventBody): void {
    const socket = this.apps.get(appName)?.socket;
    if (!socket) return;
    body.asterisk_id = ASTERISK_ID;
    body.application = appName;
    this.sendRaw(socket, body);
  }

  private sendRaw(socket: EventSocket, body: object): void {
    if (socket.ws.readyState !== socket.ws.OPEN) return;
    // Events come in bursts (a dozen per call step); corking until the tick ends turns them into one syscall.
    if (socket.stream && !socket.corked) {
      socket.corked = true;
      socket.stream.cork();
      process.nextTick(uncork, socket);
    }
    socket.ws.send(JSON.stringify(body));
  }

  /** `Application` models for GET /applications. */
  listApps(): Array<Record<string, unknown>> {
    return [...this.apps.values()].map(appJson);
  }

  appJson(name: string): Record<string, unknown> | undefined {
    const app = this.apps.get(name);
    return app && appJson(app);
  }

  /** Abruptly ends every socket; apps with subscribed channels stay, inactive, until a client reconnects. */
  terminateAll(): void {
    for (const { ws } of [...this.sockets.values()]) ws.terminate();
  }

  /** Forgets everything without a word to anyone (Asterisk restarting). */
  reset(): void {
    this.terminateAll();
    this.sockets.clear();
    this.apps.clear();
  }

  get socketCount(): number {
    return this.sockets.size;
  }
}

function uncork(socket: EventSocket): void {
  socket.corked = false;
  socket.stream?.uncork();
}

function appJson(app: StasisApp): Record<string, unknown> {
  return {
    name: app.name,
    channel_ids: [...app.channelIds],
    bridge_ids: [],
    endpoint_ids: [],
    device_names: [],
    events_allowed: [],
    events_disallowed: [],
  };
}
