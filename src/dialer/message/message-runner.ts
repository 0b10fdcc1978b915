import { isAriHttpError } from '../../ari/errors.js';
import type { AriClient } from '../../ari/client.js';
import type { Logger } from '../../log.js';
import type { CallAction } from '../transitions.js';
import type { OptOutNote } from './message-result.js';

/** The message's actions, as the state table asks for them. */
export type MessageStep = Extract<CallAction, { type: 'play' | 'stopPlayback' | 'talkDetect' | 'deadline' | 'optout' }>;

/** What the runner needs from its call. */
export interface MessageRunnerHost {
  ari: AriClient;
  channelId: string;
  log: Logger;
  /** Asterisk refused a play: the table decides what follows (`away`: 404/409, the channel is not ours to act on). */
  playRefused(playbackId: string, reason: string, away: boolean): void;
  /** The message's timer ran out. */
  deadline(): void;
  /** Stores the opt-out; resolves whether it was stored. */
  optOut?: () => Promise<boolean>;
  now: () => number;
  /** A listed key's action reached Asterisk (the key-to-action figure). */
  keyAction?: (latencyMs: number) => void;
}

/** TALK_DETECT's silence that ends a greeting (ms), and its talking threshold (func_talkdetect.c's default 256). */
export const TALK_DETECT_VALUE = '1200,256';

/**
 * Carries out the message's steps against ARI: playbacks by our own id, their stop, talk detection, the message's
 * one timer and the opt-out. Decides nothing: every outcome goes back to the state table.
 */
export class MessageRunner {
  private timer: NodeJS.Timeout | undefined;
  /** How the opt-out went, for the result. */
  readonly optOutNote: OptOutNote = {};
  /** When a key asked for an action. */
  private keyAt: number | undefined;

  constructor(private readonly h: MessageRunnerHost) {}

  run(a: MessageStep): void {
    switch (a.type) {
      case 'play':
        return void this.play(a.playbackId, a.media);
      case 'stopPlayback':
        return void this.stop(a.playbackId);
      case 'talkDetect':
        return void this.talkDetect();
      case 'deadline':
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.h.deadline(), a.ms);
        return;
      case 'optout':
        this.optOutDone = this.optOut();
        return;
    }
  }

  /** The opt-out being stored: the result waits for it (it says whether the number was stored). */
  optOutDone: Promise<void> | undefined;

  /** Resolves when the stop was answered (the key-to-action figure waits for it). */
  private stopped: Promise<void> | undefined;

  /** A key asked for actions now. */
  keyPressed(): void {
    this.keyAt = this.h.now();
  }

  /** The continue or hangup a key asked for was answered: once the stop is too, that is the key's action done. */
  acted(): void {
    const at = this.keyAt;
    if (at === undefined) return;
    this.keyAt = undefined;
    void (this.stopped ?? Promise.resolve()).then(() => this.h.keyAction?.(this.h.now() - at));
  }

  close(): void {
    clearTimeout(this.timer);
  }

  private async play(playbackId: string, media: string): Promise<void> {
    try {
      await this.h.ari.play(this.h.channelId, playbackId, media);
    } catch (err) {
      const reason = isAriHttpError(err)
        ? `Asterisk answered ${err.status} to play ${media}: ${err.ariMessage}`
        : `could not play ${media}: ${(err as Error).message}`;
      this.h.log.warn({ playbackId, reason }, 'playback refused');
      this.h.playRefused(playbackId, reason, isAriHttpError(err, 409) || isAriHttpError(err, 404));
    }
  }

  private async stop(playbackId: string): Promise<void> {
    const p = this.h.ari.stopPlayback(playbackId).catch((err: unknown) => {
      // 404: it ended meanwhile (or the channel is gone); nothing to stop.
      if (!isAriHttpError(err, 404)) this.h.log.warn({ playbackId, err: (err as Error).message }, 'could not stop a playback');
    });
    this.stopped = p;
    await p;
  }

  private async talkDetect(): Promise<void> {
    try {
      await this.h.ari.setChannelVar(this.h.channelId, 'TALK_DETECT(set)', TALK_DETECT_VALUE);
    } catch (err) {
      // Without talk detection the beep wait alone decides when the machine message plays.
      this.h.log.warn({ err: (err as Error).message }, 'TALK_DETECT refused; waiting the beep wait instead');
    }
  }

  private async optOut(): Promise<void> {
    const note = this.optOutNote;
    if (!this.h.optOut) {
      note.stored = false;
      note.why = 'no suppression list here (dial without Redis): the opt-out was not stored';
      return;
    }
    try {
      note.stored = await this.h.optOut();
    } catch (err) {
      this.h.log.error({ err: (err as Error).message }, 'could not store an opt-out');
      note.stored = false;
      note.why = `could not store the opt-out: ${(err as Error).message}`;
    }
  }
}
