import type { RedisClient } from '../../store/lua-script.js';
import type { AriClient } from '../../ari/client.js';
import type { AriEventStream } from '../../ari/event-stream.js';
import type { AriEvent } from '../../ari/types.generated.js';
import type { WitnessedEnd } from '../../dialer/call-options.js';
import { initialCallState, transition, type CallState } from '../../dialer/transitions.js';
import type { Logger } from '../../log.js';
import type { Keys } from '../../store/keys.js';
import { luaScript, runLua } from '../../store/lua-script.js';

export interface WitnessOptions {
  redis: RedisClient;
  keys: Keys;
  ari: AriClient;
  /** This worker's event stream: it receives the peers' channels it was subscribed to. */
  events: AriEventStream;
  /** Live peers on the same Asterisk (their app names); one of them is asked to watch each of our calls. */
  peers: () => readonly string[];
  /** Looks the peers up now, when none is known yet (a worker's first calls). */
  refreshPeers?: () => Promise<readonly string[]>;
  /**
   * The campaign a channel of ours belongs to (its witnessed end is kept with the campaign's calls in flight);
   * undefined for a channel of no campaign this worker knows, which is then not witnessed.
   */
  campaignOf: (channelId: string) => string | undefined;
  log: Logger;
}

interface Watched {
  s: CallState;
  seenAt: number;
  stasisFailed: boolean;
  destroyedCause?: number;
}

/**
 * Keeps a peer's witnessed end only while the call's in-flight mark is there: the owner's stored result deletes the
 * mark and the witness in one step, so a witness that comes later would never be read and must not stay behind.
 */
const KEEP_WITNESS = luaScript(
  'ariDialerKeepWitness',
  2,
  `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return 1
`,
);

/** A channel still watched after this long lost its end in a gap of our own socket: forgotten. */
const FORGET_AFTER_MS = 6 * 3_600_000;

/**
 * Keeps the results of calls that end while their own worker cannot see them (it died, or its socket is down).
 * Each worker subscribes a live PEER's app to every channel it originates (ARI keeps per-channel subscriptions of
 * any app, res/ari/resource_applications.c); the peer follows those channels' events with the same state table
 * as a call and, on ChannelDestroyed, writes what it saw to Redis, beside the call's in-flight mark. Whoever settles
 * the attempt (a takeover, the re-run job, a call that lost sight of its channel) reads it instead of answering
 * UNKNOWN, and storing the result deletes it: Redis holds witnesses of calls in flight only.
 */
export class Witness {
  private readonly watched = new Map<string, Watched>();
  private readonly off: () => void;
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly o: WitnessOptions) {
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
    const campaignId = this.o.campaignOf(channelId);
    if (campaignId === undefined) return undefined;
    const v = await this.o.redis.hget(this.o.keys.witnessed(campaignId), channelId);
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
      const campaignId = this.o.campaignOf(channelId);
      if (campaignId === undefined) {
        this.o.log.debug({ channelId }, 'witnessed end of a channel of no campaign served here: not kept');
        continue;
      }
      keepWitnessedEnd(this.o.redis, this.o.keys, campaignId, channelId, seen).catch((err: Error) => {
        this.o.log.warn({ channelId, err: err.message }, 'could not store a witnessed end');
      });
    }
  }

  private sweep(): void {
    const cutoff = Date.now() - FORGET_AFTER_MS;
    for (const [id, w] of this.watched) if (w.seenAt < cutoff) this.watched.delete(id);
  }
}

/**
 * Keeps what a peer saw of a call's end, only while the call is in flight (its mark is there). False when the result
 * was stored first: nothing would ever read it.
 */
export async function keepWitnessedEnd(redis: RedisClient, keys: Keys, campaignId: string, channelId: string, seen: WitnessedEnd): Promise<boolean> {
  return (await runLua(redis, KEEP_WITNESS, [keys.inflight(campaignId), keys.witnessed(campaignId)], [channelId, JSON.stringify(seen)])) === 1;
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
