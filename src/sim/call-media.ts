import * as ev from './ari-events.js';
import { CAUSE } from './causes.js';
import { CallChannels } from './call-channels.js';
import { seconds } from './call-timeline.js';
import { AMDCALLEE_AFTER_MS, AMDCALLEE_WAIT_MS, ANSWER_MEDIA_WAIT_MS, DTMFCALLEE_AFTER_MS } from './callee-script.js';
import { PlaybackQueue, playbackJson, type SimPlayback } from './playback.js';
import { mediaPlan, SOUND_MS } from './sounds.js';
import { TalkDetector } from './talk-detect.js';

/** SendDTMF's digit reaches the other half of a Local channel about this much later (the lab traces: 200 ms). */
const DTMF_TRAVEL_MS = 200;
/** dtmfcallee: SendDTMF returns (and Wait(8) shows) this long after it started. */
const SEND_DTMF_MS = 450;
/** Between two keys of one press (SendDTMF's default inter-digit pause). */
const BETWEEN_KEYS_MS = 250;
/** ChannelDtmfReceived `duration_ms` of a key sent by SendDTMF, as the traces show it. */
const KEY_DURATION_MS = 100;

/**
 * What a call does once answered, on top of how its channels end: the callee's side (its `;2` dialplan, its keys,
 * its voice), our channel's playbacks and talk detection. The script from dial to dialplan (call-script.ts) builds
 * on it.
 */
export abstract class CallMedia extends CallChannels {
  private playbacks: PlaybackQueue | undefined;
  private talk: TalkDetector | undefined;
  private keyTimer: NodeJS.Timeout | undefined;
  /** Real ms of the answer: the callee's voice is timed from it. */
  private answeredAtMs = 0;
  /** A `continue` asked for while playbacks ran: Asterisk runs it once they are done. */
  protected pendingContinue: (() => void) | undefined;

  /** A key reached our channel while our dialplan runs (Read() takes it). */
  protected abstract keyInDialplan(digit: string): void;

  protected markAnswered(): void {
    this.answeredAtMs = Date.now();
  }

  /**
   * The callee starts listening: at the answer, or again once AMD has its verdict (`afterAmd`: the `;2` half shows
   * no new step). Runs its lab dialplan or Wait(talk), and its keys.
   */
  protected startTalk(afterAmd: boolean): void {
    const { peer, timeline, callee } = this.setup;
    clearTimeout(this.keyTimer);
    const hangUp = (): void => this.calleeHangsUp(CAUSE.NORMAL_CLEARING);
    if (peer && !afterAmd && callee.lab === 'dtmfcallee') {
      this.lineTimer = this.after(ANSWER_MEDIA_WAIT_MS, () => {
        this.dialplanStep(peer, 'Wait', seconds(callee.pressAtMs));
        this.lineTimer = this.after(callee.pressAtMs, () => {
          const quiet = callee.press === '';
          this.dialplanStep(peer, 'GotoIf', `${quiet ? 1 : 0}?quiet`);
          // [dtmfcallee] 1 Answer, 2 Wait(1.5), 3 GotoIf($[digit=0]?quiet), 4 SendDTMF(digit), 5(quiet) Wait(8).
          const rest = (): void => {
            this.dialplanStepAt(peer, 5, 'Wait', seconds(DTMFCALLEE_AFTER_MS));
            this.lineTimer = this.after(DTMFCALLEE_AFTER_MS, hangUp);
          };
          if (quiet) return rest();
          this.dialplanStep(peer, 'SendDTMF', callee.press);
          this.keyTimer = this.after(DTMF_TRAVEL_MS, () => this.pressKeys(callee.press));
          this.lineTimer = this.after(SEND_DTMF_MS, rest);
        });
      });
      return;
    }
    if (peer && !afterAmd && callee.lab === 'amdcallee') {
      this.lineTimer = this.after(ANSWER_MEDIA_WAIT_MS, () => {
        this.dialplanStep(peer, 'Wait', seconds(AMDCALLEE_WAIT_MS));
        this.lineTimer = this.after(AMDCALLEE_WAIT_MS, () => {
          // [amdcallee] 1 Answer, 2 Wait(0.2), 3 GotoIf(?machine), 4 GotoIf(?silent), 5 Playback(lab/human-hello),
          // ..., 8(machine) Playback(lab/machine-greeting), 9 Wait(5), 10 Hangup().
          this.dialplanStep(peer, 'GotoIf', `${callee.machine ? 1 : 0}?machine`);
          if (!callee.machine) this.dialplanStep(peer, 'GotoIf', '0?silent');
          const sound = callee.machine ? 'lab/machine-greeting' : 'lab/human-hello';
          this.dialplanStepAt(peer, callee.machine ? 8 : 5, 'Playback', sound);
          this.lineTimer = this.after(SOUND_MS[sound]!, () => {
            this.pub(peer, ev.channelVarset(peer, 'PLAYBACKSTATUS', 'SUCCESS'));
            this.dialplanStep(peer, 'Wait', seconds(AMDCALLEE_AFTER_MS));
            this.lineTimer = this.after(AMDCALLEE_AFTER_MS, () => {
              this.dialplanStep(peer, 'Hangup', '');
              hangUp();
            });
          });
        });
      });
      return;
    }
    if (peer && !afterAmd) {
      this.lineTimer = this.after(ANSWER_MEDIA_WAIT_MS, () => {
        this.dialplanStep(peer, 'Wait', seconds(timeline.talkMs));
        this.lineTimer = this.after(timeline.talkMs, hangUp);
      });
    } else {
      this.lineTimer = this.after(timeline.talkMs, hangUp);
    }
    if (callee.press !== '') this.keyTimer = this.after(callee.pressAtMs, () => this.pressKeys(callee.press));
  }

  /** Keys the callee sends, one ChannelDtmfReceived each on our channel (main/channel.c, on the DTMF end frame). */
  private pressKeys(digits: string, i = 0): void {
    if (this.phase === 'ended' || i >= digits.length) return;
    const { main } = this.setup;
    const digit = digits[i]!;
    this.pub(main, ev.channelDtmfReceived(main, digit, KEY_DURATION_MS));
    if (this.phase === 'dialplan') this.keyInDialplan(digit);
    if (i + 1 < digits.length) this.keyTimer = this.after(BETWEEN_KEYS_MS, () => this.pressKeys(digits, i + 1));
  }

  /** AMD listens: keys wait until the callee hears us again (startTalk after the verdict). */
  protected holdKeys(): void {
    clearTimeout(this.keyTimer);
  }

  /** POST /channels/{id}/play[/{playbackId}]: the answer's body (state `queued`), then the queue plays it. */
  play(id: string, media: string, language: string, sounds: Readonly<Record<string, number | null>>): Record<string, unknown> {
    const { main } = this.setup;
    const pb: SimPlayback = {
      id,
      media_uri: media,
      target_uri: `channel:${main.id}`,
      language,
      state: 'queued',
      cancelled: false,
      plan: mediaPlan(media, sounds, (name) => sounds[`recording:${name}`] ?? undefined),
    };
    const body = playbackJson(pb);
    this.playbacks ??= new PlaybackQueue({
      registry: this.env.playbacks,
      publish: (b) => this.pub(main, b),
      after: (ms, fn) => this.after(ms, fn),
      drained: () => {
        const go = this.pendingContinue;
        this.pendingContinue = undefined;
        go?.();
      },
    });
    this.playbacks.play(pb);
    return body;
  }

  protected get playing(): boolean {
    return this.playbacks !== undefined && !this.playbacks.idle;
  }

  /** `TALK_DETECT(set)` / `TALK_DETECT(remove)` written through POST /channels/{id}/variable: no ChannelVarset. */
  talkDetect(set: boolean, value: string): void {
    if (!set) return this.talk?.stop();
    this.talk ??= new TalkDetector(this.setup.main, this.setup.callee.voice, {
      sinceAnswer: () => (Date.now() - this.answeredAtMs) / this.env.scale(1),
      after: (ms, fn) => this.after(ms, fn),
      publish: (b) => this.pub(this.setup.main, b),
    });
    this.talk.set(value);
  }

  /** The channel leaves Stasis: a playback still running fails (streamfile sees the hangup), then StasisEnd. */
  protected override leaveStasis(): void {
    this.playbacks?.hangup();
    this.pendingContinue = undefined;
    super.leaveStasis();
  }

  protected override stopTimers(): void {
    super.stopTimers();
    clearTimeout(this.keyTimer);
    this.keyTimer = undefined;
    this.talk?.stop();
  }
}
