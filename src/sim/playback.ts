import { asteriskTimestamp } from './channel-model.js';
import type { AriEventBody } from './event-bus.js';
import type { MediaPlan } from './sounds.js';

/** A playback's state as ARI shows it (res_stasis_playback.c state_to_string). */
export type PlaybackState = 'queued' | 'playing' | 'done' | 'failed';

/** One `POST /channels/{id}/play`: its own id, never a channel. */
export interface SimPlayback {
  readonly id: string;
  readonly media_uri: string;
  readonly target_uri: string;
  readonly language: string;
  state: PlaybackState;
  /** DELETE /playbacks/{id} while queued: Asterisk reports it done when its turn comes, without playing it. */
  cancelled: boolean;
  readonly plan: MediaPlan;
}

/** Every live playback by id (GET and DELETE /playbacks/{id}); a playback leaves once its play command returned. */
export class PlaybackRegistry {
  private readonly byId = new Map<string, { pb: SimPlayback; queue: PlaybackQueue }>();

  get(id: string): { pb: SimPlayback; queue: PlaybackQueue } | undefined {
    return this.byId.get(id);
  }

  add(pb: SimPlayback, queue: PlaybackQueue): void {
    this.byId.set(pb.id, { pb, queue });
  }

  remove(pb: SimPlayback): void {
    if (this.byId.get(pb.id)?.pb === pb) this.byId.delete(pb.id);
  }

  clear(): void {
    this.byId.clear();
  }
}

/** What a channel's playback queue needs from its call. */
export interface PlaybackHost {
  readonly registry: PlaybackRegistry;
  /** Sends a playback event to the apps that hear the channel. */
  publish(body: AriEventBody): void;
  /** Runs `fn` after simulated ms. */
  after(simMs: number, fn: () => void): NodeJS.Timeout | undefined;
  /** The queue ran dry: a `continue` that waited behind the playbacks may go now. */
  drained(): void;
}

export function playbackJson(pb: SimPlayback): Record<string, unknown> {
  return { id: pb.id, media_uri: pb.media_uri, target_uri: pb.target_uri, language: pb.language, state: pb.state };
}

function playbackEvent(type: 'PlaybackStarted' | 'PlaybackFinished', pb: SimPlayback): AriEventBody {
  return { type, timestamp: asteriskTimestamp(), playback: playbackJson(pb) };
}

/**
 * A channel's playbacks in the order they were asked for. Asterisk runs Stasis commands one at a time per channel
 * (res/stasis/control.c), and play_uri blocks until the media ends, so a second play waits behind the first, as does
 * a `continue`. Stop (DELETE /playbacks/{id}) ends a playing one with `done`; a hangup ends it with `failed`.
 */
export class PlaybackQueue {
  private readonly waiting: SimPlayback[] = [];
  private current: SimPlayback | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly host: PlaybackHost) {}

  /** Nothing playing or waiting. */
  get idle(): boolean {
    return this.current === undefined && this.waiting.length === 0;
  }

  /** Queues a playback (its JSON answers the POST with state `queued`) and starts it if nothing plays. */
  play(pb: SimPlayback): void {
    this.host.registry.add(pb, this);
    this.waiting.push(pb);
    if (this.current === undefined) this.next();
  }

  /** DELETE /playbacks/{id}: stop a playing one, cancel a queued one; a finished one is a no-op. */
  stop(pb: SimPlayback): void {
    if (pb === this.current) {
      clearTimeout(this.timer);
      this.finish(pb, 'done');
      this.next();
    } else if (pb.state === 'queued') {
      pb.cancelled = true;
    }
  }

  /** The channel hangs up: what plays fails (streamfile returns an error), what waits is dropped unannounced. */
  hangup(): void {
    clearTimeout(this.timer);
    const pb = this.current;
    if (pb) this.finish(pb, 'failed');
    for (const w of this.waiting) this.host.registry.remove(w);
    this.waiting.length = 0;
  }

  private next(): void {
    const pb = this.waiting.shift();
    this.current = pb;
    if (!pb) return this.host.drained();
    if (pb.cancelled) {
      // playback_first_update: a cancelled playback is published once, as done, and never plays.
      this.finish(pb, 'done');
      return this.next();
    }
    pb.state = 'playing';
    this.host.publish(playbackEvent('PlaybackStarted', pb));
    const { plan } = pb;
    if (plan.kind === 'fails') {
      this.finish(pb, 'failed');
      return this.next();
    }
    if (plan.kind === 'skipped') {
      // No final update at all; the playback is forgotten when its command returns.
      this.host.registry.remove(pb);
      this.current = undefined;
      return this.next();
    }
    this.timer = this.host.after(plan.ms, () => {
      this.finish(pb, 'done');
      this.next();
    });
  }

  private finish(pb: SimPlayback, state: 'done' | 'failed'): void {
    pb.state = state;
    this.current = undefined;
    this.host.registry.remove(pb);
    this.host.publish(playbackEvent('PlaybackFinished', pb));
  }
}
