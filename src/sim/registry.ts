import type { Channel, DialplanTarget, SimChannel } from './channel-model.js';

/** The call that owns a channel, as REST handlers drive it. */
export interface ChannelOwner {
  /** Is this channel currently inside a Stasis application (so `continue` and `answer` apply)? */
  inStasis(channel: SimChannel): boolean;
  /** DELETE /channels/{id} with the cause its reason maps to. */
  hangupRequested(channel: SimChannel, cause: number): void;
  /** POST /channels/{id}/continue, once inStasis() said yes. */
  continueInDialplan(target: DialplanTarget): void;
  /** POST /channels/{id}/variable, once inStasis() said yes. */
  setVariable(channel: SimChannel, name: string, value: string): void;
  /** POST /channels/{id}/play, once inStasis() said yes: the playback's JSON (state `queued`). Calls only here. */
  play?(id: string, media: string, language: string, sounds: Readonly<Record<string, number | null>>): Record<string, unknown>;
}

interface Entry {
  readonly channel: SimChannel;
  readonly owner: ChannelOwner;
}

/**
 * Channels alive now, by unique id. Every per-channel structure hangs off an entry here and goes when the channel is
 * destroyed, so a long benchmark does not grow memory.
 */
export class ChannelRegistry {
  private readonly entries = new Map<string, Entry>();
  /** What ends with a channel (its snoops, its recordings), by channel id. */
  private readonly watchers = new Map<string, Array<() => void>>();

  add(channel: SimChannel, owner: ChannelOwner): void {
    this.entries.set(channel.id, { channel, owner });
  }

  remove(channel: SimChannel): void {
    const entry = this.entries.get(channel.id);
    if (entry?.channel !== channel) return;
    this.entries.delete(channel.id);
    this.ending(channel);
  }

  /** Runs `fn` once, when the channel `id` is destroyed (or the simulator forgets everything: never then). */
  whenGone(id: string, fn: () => void): void {
    const list = this.watchers.get(id);
    if (list) list.push(fn);
    else this.watchers.set(id, [fn]);
  }

  /**
   * The channel is being destroyed: what hangs on it ends first (a snoop's recording finishes, its StasisEnd goes
   * out), as Asterisk tears those down before the channel's own ChannelDestroyed (snoop_record_whole_call.json).
   */
  ending(channel: SimChannel): void {
    const list = this.watchers.get(channel.id);
    if (!list) return;
    this.watchers.delete(channel.id);
    for (const fn of list) fn();
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  get(id: string): { channel: SimChannel; owner: ChannelOwner } | undefined {
    return this.entries.get(id);
  }

  snapshot(): Channel[] {
    return [...this.entries.values()].map((e) => e.channel.toJSON());
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
    this.watchers.clear();
  }
}
