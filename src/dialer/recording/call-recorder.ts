import type { AriClient } from '../../ari/client.js';
import { isAriHttpError } from '../../ari/errors.js';
import type { AriEventStream } from '../../ari/event-stream.js';
import type { AriEvent } from '../../ari/types.generated.js';
import type { Logger } from '../../log.js';
import { itemBoundMs } from '../message/message-options.js';
import type { NoticeAction } from './notice-flow.js';
import { recordingNameFor, snoopIdFor, type RecordOptions } from './record-options.js';
import type { RecordingInfo } from './recording-info.js';

export interface CallRecorderDeps {
  ari: AriClient;
  events: AriEventStream;
  log: Logger;
  now: () => number;
}

type Phase = 'idle' | 'snooping' | 'recording' | 'finished' | 'failed';

/** How long a call's result waits for RecordingFinished after the call ended (it normally comes before). */
const FINISH_WAIT_MS = 3_000;
/** A recording this long (by the call's clock) that Asterisk says holds 0 s is checked for a file. */
const SUSPICIOUS_S = 1;
/** Longest a notice may play before it is given up (as a message item's bound, see itemBoundMs). */
const NOTICE_MAX_S = 120;

/**
 * Records one call beside it, never in its way: a snoop channel of our own (`<channelId>-rec`, spy both) enters our
 * app, and on its StasisStart we record it under the attempt's name. The snoop hears the callee's channel through an
 * audiohook, so the recording goes on while the call runs the dialplan after `continue`, and ends with the call
 * (RecordingFinished, then the snoop's StasisEnd). The snoop and the recording have ids of their own and never count
 * as a call. Whatever fails (snoop refused, unknown format, no file written) becomes `state: failed` with Asterisk's
 * reason; the call goes on.
 */
export class CallRecorder {
  private phase: Phase = 'idle';
  private reason: string | undefined;
  private durationS: number | undefined;
  private startedAt: number | undefined;
  /** Another run of this attempt (a dead worker's) already holds the recording: follow it, never record twice. */
  private following = false;
  private off: (() => void) | undefined;
  private wake: (() => void) | undefined;
  /** Answered with a notice to play first: recording starts when the state table says it is over. */
  private awaitingNotice: { adopted: boolean } | undefined;
  private noticeTimer: NodeJS.Timeout | undefined;
  readonly name: string;
  readonly snoopId: string;

  constructor(
    private readonly deps: CallRecorderDeps,
    private readonly channelId: string,
    private readonly o: RecordOptions,
  ) {
    this.name = recordingNameFor(channelId);
    this.snoopId = snoopIdFor(channelId);
  }

  /** When to start: `all` at the originate, `answered` at the answer. */
  get mode(): RecordOptions['mode'] {
    return this.o.mode;
  }

  /** The call was answered: recording from the answer starts now, or after the notice when there is one. */
  answered(adopted: boolean): void {
    if (this.o.notice && this.phase === 'idle') this.awaitingNotice = { adopted };
    else this.start(adopted);
  }

  /**
   * The state table's notice steps: play it on the callee's channel (bounded: a notice Asterisk never finishes is
   * given up through `refused`), then start recording, or record nothing when nobody could be told.
   */
  notice(a: NoticeAction, refused: (reason: string) => void): void {
    if (a.type === 'notice') {
      this.noticeTimer = setTimeout(
        () => {
          refused(`no PlaybackFinished for the notice ${a.media} within ${itemBoundMs(a.media, NOTICE_MAX_S) / 1000} s`);
          void this.deps.ari.stopPlayback(a.playbackId).catch(() => undefined);
        },
        itemBoundMs(a.media, NOTICE_MAX_S),
      );
      this.deps.ari
        .play(this.channelId, a.playbackId, a.media)
        .catch((err: unknown) => refused(`Asterisk refused to play the notice ${a.media}: ${messageOf(err)}`));
      return;
    }
    clearTimeout(this.noticeTimer);
    const waiting = this.awaitingNotice;
    this.awaitingNotice = undefined;
    if (a.ok) this.start(waiting?.adopted ?? false);
    else if (this.phase === 'idle') this.skip(a.reason ?? 'not recorded: the notice did not play');
  }

  /** Records nothing, and the result says why. */
  private skip(reason: string): void {
    this.phase = 'failed';
    this.reason = reason;
    this.deps.log.warn({ recording: this.name, reason }, 'call not recorded; the call goes on');
  }

  /** Starts recording (once). `adopted`: a previous run of this attempt may already record it. */
  start(adopted = false): void {
    if (this.phase !== 'idle') return;
    this.phase = 'snooping';
    this.off = this.deps.events.onChannel(this.snoopId, (ev) => this.onEvent(ev));
    void this.openSnoop(adopted);
  }

  private async openSnoop(adopted: boolean): Promise<void> {
    const { ari, events } = this.deps;
    if (adopted) {
      try {
        // The dead worker's snoop lives on in its (now inactive) app, recording: hear its end, do not start another.
        await ari.subscribe(events.app, `channel:${this.snoopId}`);
        this.following = true;
        this.phase = 'recording';
        this.startedAt ??= this.deps.now();
        return;
      } catch {
        // 422: no such snoop (never made, or gone): make ours; a finished file of the same name answers 409 below.
      }
    }
    try {
      await ari.snoop(this.channelId, { app: events.app, spy: 'both', snoopId: this.snoopId });
    } catch (err) {
      if (isAriHttpError(err, 404)) return this.fail("the call's channel was gone before recording could start");
      this.fail(`Asterisk refused the snoop channel: ${messageOf(err)}`);
    }
  }

  private onEvent(ev: AriEvent): void {
    switch (ev.type) {
      case 'StasisStart':
        if (ev.channel.id === this.snoopId && this.phase === 'snooping') void this.record();
        return;
      case 'RecordingStarted':
        if (this.phase === 'snooping') this.phase = 'recording';
        this.startedAt ??= this.deps.now();
        return;
      case 'RecordingFailed':
        this.fail(`Asterisk could not record: ${ev.recording.cause ?? 'no cause given'}`);
        return;
      case 'RecordingFinished':
        if (this.phase === 'failed') return;
        this.durationS = ev.recording.duration ?? 0;
        this.phase = 'finished';
        this.wake?.();
        // A followed snoop is in the dead worker's app: its StasisEnd goes there, not to us.
        if (this.following) this.stopListening();
        return;
      case 'StasisEnd':
        if (ev.channel.id !== this.snoopId) return;
        if (this.phase === 'snooping') this.fail('the snoop channel ended before recording started');
        this.wake?.();
        this.stopListening();
        return;
      default:
        return;
    }
  }

  private async record(): Promise<void> {
    try {
      await this.deps.ari.record(this.snoopId, { name: this.name, format: this.o.format, ifExists: 'fail' });
    } catch (err) {
      if (this.phase === 'failed') return;
      // 409 "already exists": this attempt's file was made by an earlier run (a takeover): keep it, add nothing.
      if (isAriHttpError(err, 409) && /already exists/i.test(err.ariMessage)) {
        this.following = true;
        this.phase = 'finished';
        void this.hangUpSnoop();
        return;
      }
      this.fail(`Asterisk refused to record (format ${this.o.format}): ${messageOf(err)}`);
      void this.hangUpSnoop();
    }
  }

  private fail(reason: string): void {
    if (this.phase === 'failed' || this.phase === 'finished') return;
    this.phase = 'failed';
    this.reason = reason;
    this.deps.log.warn({ recording: this.name, reason }, 'call not recorded; the call goes on');
    this.wake?.();
  }

  private async hangUpSnoop(): Promise<void> {
    try {
      await this.deps.ari.hangup(this.snoopId);
    } catch {
      // Gone already: nothing to leave behind.
    }
  }

  /**
   * The call ended: what to put in its result (undefined when recording never started, e.g. an unanswered call
   * recorded from the answer). Waits briefly for RecordingFinished, then checks what it cannot take on trust.
   */
  async settle(callEndedAt: number): Promise<RecordingInfo | undefined> {
    clearTimeout(this.noticeTimer);
    if (this.awaitingNotice) this.skip('not recorded: the call ended before the notice was over');
    if (this.phase === 'idle') return undefined;
    if (this.phase === 'snooping' || this.phase === 'recording') {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, FINISH_WAIT_MS);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
    // The snoop's StasisEnd follows at once; stop listening soon in any case.
    setTimeout(() => this.stopListening(), FINISH_WAIT_MS).unref();
    const base = { name: this.name, asterisk: this.o.asterisk, format: this.o.format };
    if (this.phase === 'failed' || this.phase === 'snooping') {
      return { ...base, duration_s: 0, state: 'failed', reason: this.reason ?? 'recording never started before the call ended' };
    }
    const heardS = this.startedAt !== undefined ? Math.max(0, Math.floor((callEndedAt - this.startedAt) / 1000)) : 0;
    if (this.phase === 'recording') {
      // No RecordingFinished (our socket or Asterisk went away): what was written so far is on disk, if anything.
      return this.confirmFile(
        base,
        heardS,
        'RecordingFinished never arrived (Asterisk restarted or our event socket dropped); the file recorded so far is kept',
      );
    }
    const duration = this.durationS ?? heardS;
    if (this.following && this.durationS === undefined) {
      return this.confirmFile(base, heardS, 'recorded by an earlier run of this attempt');
    }
    if (duration === 0 && heardS >= SUSPICIOUS_S) return this.confirmFile(base, 0);
    return { ...base, duration_s: duration, state: 'done' };
  }

  /** Asks Asterisk whether the file is there: a recording that wrote nothing (a full disk) is no recording. */
  private async confirmFile(base: Pick<RecordingInfo, 'name' | 'asterisk' | 'format'>, durationS: number, note?: string): Promise<RecordingInfo> {
    try {
      await this.deps.ari.storedRecording(this.name);
      return { ...base, duration_s: durationS, state: 'done', ...(note ? { reason: note } : {}) };
    } catch (err) {
      if (isAriHttpError(err, 404)) {
        return {
          ...base,
          duration_s: 0,
          state: 'failed',
          reason: 'Asterisk finished the recording but wrote no file (its recording directory full or not writable? see its log: "Error creating writestream")',
        };
      }
      return { ...base, duration_s: durationS, state: 'done', reason: `${note ?? 'file not confirmed'}; Asterisk could not be asked: ${messageOf(err)}` };
    }
  }

  private stopListening(): void {
    this.off?.();
    this.off = undefined;
  }
}

function messageOf(err: unknown): string {
  const e = err as { ariMessage?: string; status?: number; message?: string };
  if (e.ariMessage !== undefined) return e.status !== undefined ? `${e.ariMessage} (HTTP ${e.status})` : e.ariMessage;
  return e.message ?? String(err);
}
