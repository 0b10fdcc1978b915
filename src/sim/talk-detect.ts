import { channelTalkingFinished, channelTalkingStarted } from './ari-events.js';
import type { SimChannel } from './channel-model.js';
import type { AriEventBody } from './event-bus.js';

/** func_talkdetect.c: DEFAULT_SILENCE_THRESHOLD (ms of silence that end talking). */
export const DEFAULT_TALK_SILENCE_MS = 2500;

/** What the detector needs from its call. */
export interface TalkHost {
  /** Simulated ms since the answer, now. */
  sinceAnswer(): number;
  after(simMs: number, fn: () => void): NodeJS.Timeout | undefined;
  publish(body: AriEventBody): void;
}

/**
 * `TALK_DETECT(set)=<silence>,<talking>` on a channel (funcs/func_talkdetect.c): ChannelTalkingStarted at the
 * first voice frame, ChannelTalkingFinished once `silence` ms of silence follow, with `duration` the talking time
 * (now − start − silence). The voice is the callee's (CalleeScript.voice); setting it mid-word starts there.
 */
export class TalkDetector {
  private timer: NodeJS.Timeout | undefined;
  private silenceMs = DEFAULT_TALK_SILENCE_MS;

  constructor(
    private readonly channel: SimChannel,
    private readonly voice: ReadonlyArray<readonly [number, number]>,
    private readonly host: TalkHost,
  ) {}

  /** `value`: `silence[,talking]`; a bad number keeps the default, as sscanf failing leaves it. */
  set(value: string): void {
    const silence = Number.parseInt(value.split(',')[0] ?? '', 10);
    this.silenceMs = Number.isInteger(silence) && silence > 0 ? silence : DEFAULT_TALK_SILENCE_MS;
    this.stop();
    this.watch(this.host.sinceAnswer());
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** From `now` (ms since answer): the next stretch of voice, if any. */
  private watch(now: number): void {
    const seg = this.voice.find(([from, len]) => from + len > now);
    if (!seg) return;
    const startAt = Math.max(now, seg[0]);
    const endAt = seg[0] + seg[1];
    this.timer = this.host.after(startAt - now, () => {
      this.host.publish(channelTalkingStarted(this.channel));
      this.timer = this.host.after(endAt - startAt + this.silenceMs, () => {
        this.host.publish(channelTalkingFinished(this.channel, Math.round(endAt - startAt)));
        this.watch(endAt + this.silenceMs);
      });
    });
  }
}
