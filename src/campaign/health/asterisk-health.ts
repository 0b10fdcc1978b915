import type { AriClient } from '../../ari/client.js';
import type { AriEventStream } from '../../ari/event-stream.js';
import { TypedEmitter } from '../../ari/typed-emitter.js';
import { silentLogger, type Logger } from '../../log.js';

export interface AsteriskHealthOptions {
  ari: AriClient;
  /** The worker's event socket: while it is down, Asterisk counts as down. */
  events: AriEventStream;
  logger?: Logger;
  /** First wait before `GET /asterisk/info` is asked again after a failure; doubles up to the max. @defaultValue 500 */
  probeDelayMs?: number;
  /** @defaultValue 10000 */
  maxProbeDelayMs?: number;
}

export interface AsteriskHealthEventMap extends Record<string, unknown> {
  down: { reason: string };
  up: { downMs: number };
}

/**
 * Whether this worker's Asterisk can take calls now, for every campaign at once. Down while the event socket is
 * down or after ARI refused a request the way a restarting Asterisk does (no connection, HTML 404/503, 503 "Asterisk
 * not booted"; see test/sim/traces/restart); then `GET /asterisk/info` is probed with backoff until it answers.
 */
export class AsteriskHealth extends TypedEmitter<AsteriskHealthEventMap> {
  private readonly log: Logger;
  private readonly probeDelayMs: number;
  private readonly maxProbeDelayMs: number;
  private downSince: number | undefined;
  private downReason = '';
  private probes = 0;
  private timer: NodeJS.Timeout | undefined;
  private nextProbeAt = 0;
  private closed = false;
  private readonly unlisten: Array<() => void>;

  constructor(private readonly opts: AsteriskHealthOptions) {
    super();
    this.log = opts.logger ?? silentLogger;
    this.probeDelayMs = opts.probeDelayMs ?? 500;
    this.maxProbeDelayMs = opts.maxProbeDelayMs ?? 10_000;
    this.unlisten = [
      opts.events.on('disconnected', () => {
        if (this.downSince === undefined) this.emit('down', { reason: 'the ARI event socket closed' });
      }),
      opts.events.on('connected', () => {
        if (this.downSince === undefined) this.emit('up', { downMs: 0 });
      }),
    ];
  }

  /** Asterisk answers and our socket is connected. */
  get up(): boolean {
    return this.downSince === undefined && this.opts.events.connected;
  }

  /** Why it is down, for logs and deferrals. */
  get reason(): string {
    return this.downSince !== undefined ? this.downReason : this.opts.events.connected ? '' : 'the ARI event socket is down';
  }

  /** How long an attempt that found Asterisk down should wait before it looks again. */
  retryInMs(now: number = Date.now()): number {
    return this.downSince === undefined ? this.probeDelayMs : Math.max(this.probeDelayMs, this.nextProbeAt - now);
  }

  /** A request failed the way an absent Asterisk fails: stop sending until a probe answers. */
  reportDown(reason: string): void {
    if (this.closed || this.downSince !== undefined) return;
    this.downSince = Date.now();
    this.downReason = reason;
    this.probes = 0;
    this.log.warn({ reason }, 'Asterisk looks down; holding attempts back and probing GET /asterisk/info');
    this.emit('down', { reason });
    this.schedule();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    for (const off of this.unlisten) off();
  }

  private schedule(): void {
    const delay = Math.min(this.maxProbeDelayMs, this.probeDelayMs * 2 ** this.probes++);
    this.nextProbeAt = Date.now() + delay;
    this.timer = setTimeout(() => void this.probe(), delay);
    this.timer.unref();
  }

  private async probe(): Promise<void> {
    if (this.closed || this.downSince === undefined) return;
    try {
      await this.opts.ari.asteriskInfo();
    } catch (err) {
      this.log.debug({ err: (err as Error).message }, 'Asterisk probe failed');
      this.downReason = (err as Error).message;
      this.schedule();
      return;
    }
    const downMs = Date.now() - this.downSince;
    this.downSince = undefined;
    this.log.info({ downMs }, 'Asterisk answers again; attempts go out');
    if (this.opts.events.connected) this.emit('up', { downMs });
  }
}
