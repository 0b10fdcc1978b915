import type { Redis } from 'ioredis';
import type { AriClient } from '../../ari/client.js';
import type { AriEventStream } from '../../ari/event-stream.js';
import type { AriEvent } from '../../ari/types.generated.js';
import type { WitnessedEnd } from '../../dialer/call-options.js';
import { initialCallState, transition, type CallState } from '../../dialer/transitions.js';
import type { Logger } from '../../log.js';
import type { Keys } from '../../store/keys.js';

export interface WitnessOptions {
  redis: Redis;
  keys: Keys;
  ari: AriClient;
  /** This worker's event stream: it receives the peers' channels it was subscribed to. */
  events: AriEventStream;
  /** Live peers on the same Asterisk (their app names); one of them is asked to watch each of our calls. */
  peers: () => readonly string[];
  /** Looks the peers up now, when none is known yet (a worker's first calls). */
  refreshPeers?: () => Promise<readonly string[]>;
  /** How long a witnessed end stays in Redis for whoever settles the attempt. @defaultValue 3600 */
  ttlS?: number;
  log: Logger;
}

interface Watched {
  s: CallState;
  seenAt: number;
  stasisFailed: boolean;
  destroyedCause?: number;
}

/** A channel still watched after this long lost its end in a gap of our own socket: forgotten. */
const FORGET_AFTER_MS = 6 * 3_600_000;

/**
 * Keeps the results of calls that end while their own worker cannot see them (it died, or its socket is down).
 * Each worker subscribes a live PEER's app to every channel it originates (ARI keeps per-channel subscriptions of
 * any app, res/ari/resource_applications.c); the peer follows those channels' events with the same state table
 * as a call and, on ChannelDestroyed, writes what it saw to Redis with a TTL. Whoever settles the attempt (a
 * takeover, the re-run job, a call that lost sight of its channel) reads it instead of answering UNKNOWN.
 */
export class Witness {
  private readonly watched = new Map<string, Watched>();
  private readonly ttlS: number;
  private readonly off: () => void;
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly o: WitnessOptions) {
    this.ttlS = o.ttlS ?? 3600;
    this.off = o.events.onUnclaimed((key, ev) => this.onEvent(key, ev));
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref();
  }

  /** Our call was just originated: ask a live peer to watch it too. Best effort: a miss costs only the fallback. */
  watch(channelId: string): void {
    const peers = this.o.peers();
    if (peers.length > 0) return this.subscribePeer(channelId, peers);
    void this.o.refreshPeers?.().then(
      (found) => found.length > 0 && this.subscribePeer(channelId, found),
      () => undefined,
    );
  }

  private subscribePeer(channelId: string, peers: readonly string[]): void {
    const peer = peers[hash(channelId) % peers.length]!;
    this.o.ari.subscribe(peer, `channel:${channelId}`).catch((err: Error) => {
      this.o.log.debug({ channelId, peer, err: err.message }, 'peer could not be subscribed as a witness');
    });
  }

  async read(channelId: string): Promise<WitnessedEnd | undefined> {
    const v = await this.o.redis.get(this.o.keys.witnessed(channelId));
    return v ? parseWitnessed(v) : undefined;
  }

  close(): void {
    this.off();
    clearInterval(this.sweeper);
  }

  private onEvent(channelId: string, ev: AriEvent): void {
    let w = this.watched.get(channelId);
    if (!w) {
      w = { s: initialCallState(), seenAt: Date.now(), stasisFailed: false };
      this.watched.set(channelId, w);
    }
    const now = Date.now();
    if (ev.type === 'ChannelVarset' && ev.variable === 'STASISSTATUS' && ev.value === 'FAILED') w.stasisFailed = true;
    for (const a of transition(w.s, ev, now, channelId)) {
      if (a.type !== 'ended') continue;
      this.watched.delete(channelId);
      const seen: WitnessedEnd = {
        cause: a.cause,
        cause_txt: a.causeTxt,
        ...(a.techCause !== undefined ? { tech_cause: a.techCause } : {}),
        ...(w.s.dialstatus ? { dialstatus: w.s.dialstatus } : {}),
        ...(w.s.otherHalfCause !== undefined ? { otherHalfCause: w.s.otherHalfCause } : {}),
        ...(w.s.ringingAt !== undefined ? { ringingAt: w.s.ringingAt } : {}),
        ...(w.s.answeredAt !== undefined ? { answeredAt: w.s.answeredAt } : {}),
        endedAt: now,
        stasisFailed: w.stasisFailed,
        app: this.o.events.app,
      };
      this.o.redis.set(this.o.keys.witnessed(channelId), JSON.stringify(seen), 'EX', this.ttlS).catch((err: Error) => {
        this.o.log.warn({ channelId, err: err.message }, 'could not store a witnessed end');
      });
    }
  }

  private sweep(): void {
    const cutoff = Date.now() - FORGET_AFTER_MS;
    for (const [id, w] of this.watched) if (w.seenAt < cutoff) this.watched.delete(id);
  }
}

function hash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) >>> 0;
  return h;
}

/** Stored data is untrusted: only a well-formed record counts as a witness. */
function parseWitnessed(v: string): WitnessedEnd | undefined {
  try {
    const o = JSON.parse(v) as Partial<WitnessedEnd>;
    if (typeof o.cause !== 'number' || typeof o.cause_txt !== 'string' || typeof o.endedAt !== 'number' || typeof o.app !== 'string') return undefined;
    return { ...o, stasisFailed: o.stasisFailed === true } as WitnessedEnd;
  } catch {
    return undefined;
  }
}
