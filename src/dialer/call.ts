import { AriUnreachableError, isAriHttpError } from '../ari/errors.js';
import type { AriEvent, Channel } from '../ari/types.generated.js';
import type { CallResult } from './call-result.js';
import type { CallDeps, CallParams } from './call-options.js';
import { lastState, originateNeverTaken } from './call-end.js';
import { AMD_APP_VAR } from './amd/amd-options.js';
import { originateVariables, placeOf } from './call-places.js';
import {
  actOnFoundInStasis,
  applySnapshot,
  deadlinePassed,
  noticeRefused,
  playRefused,
  transition,
  type CallAction,
  type ContinueTarget,
} from './transitions.js';
import { MessageRunner } from './message/message-runner.js';
import type { DialplanPlace } from './message/message-options.js';
import { SettlingCall } from './settling-call.js';

/**
 * Places one call and follows it to its end: originate with our channelId → ringing → Up and in Stasis →
 * continue to the dialplan → ChannelDestroyed. Always resolves (never rejects) with exactly one CallResult.
 */
export function runCall(deps: CallDeps, params: CallParams): Promise<CallResult> {
  return new Promise<CallResult>((resolve) => new LiveCall(deps, params, resolve).start());
}

const POLL_MS = 5_000;

class LiveCall extends SettlingCall {
  private readonly hardCapAt: number;
  private readonly ringCapAt: number;
  /** The last ARI request of this call that could not reach Asterisk, while no later one did. */
  private unreachable: string | undefined;
  private originated = false;
  private checking = false;
  /** Following a call another process placed (adopt): its AMD context would send the call back to that app. */
  private adopted = false;
  /** STASISSTATUS=FAILED seen: answered while the app it was originated into had no socket. */
  private stasisFailed = false;

  constructor(deps: CallDeps, p: CallParams, resolve: (r: CallResult) => void) {
    super(deps, p, resolve);
    this.hardCapAt = this.createdAt + (p.hardCapS ?? 14_400) * 1000;
    this.ringCapAt = this.createdAt + p.timeoutS * 1000 + 3 * (p.graceMs ?? 5_000);
  }

  start(): void {
    if (this.p.signal?.aborted) {
      this.finishWithout('CANCELLED', 'cancelled before dialing', 'success');
      return;
    }
    // Listen before originating: Asterisk may send the first events before the POST answers.
    this.unlisten = this.deps.events.onChannel(this.p.channelId, (ev) => this.onEvent(ev));
    this.unreconnect = this.deps.events.on('reconnected', ({ downMs }) => void this.check(`the ARI event socket reconnected after ${downMs} ms`));
    this.p.signal?.addEventListener('abort', this.onAbort, { once: true });
    if (this.p.resume) void this.adopt();
    else void this.originate();
  }

  private async originate(): Promise<void> {
    const { ari } = this.deps;
    try {
      await ari.originate({
        endpoint: this.p.endpoint,
        app: this.deps.events.app,
        callerId: this.p.callerId,
        timeout: this.p.timeoutS,
        channelId: this.p.channelId,
        variables: originateVariables(this.p, this.deps.events.app),
      });
      this.originated = true;
      this.deps.observer?.originated?.({ channelId: this.p.channelId, endpoint: this.p.endpoint });
      this.log.debug('originated');
      if (this.recorder?.mode === 'all') this.recorder.start();
      if (this.cancelled) void this.hangup('cancelled while originating');
      this.arm(Math.min(this.p.timeoutS * 1000 + (this.p.graceMs ?? 5_000), this.hardCapAt - this.now()));
    } catch (err) {
      if (this.done) return;
      if (isAriHttpError(err, 409) && /already exists/i.test(err.ariMessage) && this.p.adoptExisting !== false) {
        await this.adopt();
        return;
      }
      this.reportRestError(err);
      this.finishError(err, originateNeverTaken(err));
    }
  }

  /** A re-run of an attempt whose channel exists (or may): follow that call to its end, never dial again. */
  private async adopt(): Promise<void> {
    const { ari } = this.deps;
    this.log.warn(
      this.p.resume ? 'resuming an attempt a stopped worker may have placed' : 'channel id already exists: adopting the call instead of dialing again',
    );
    this.adopted = true;
    try {
      await ari.subscribe(this.deps.events.app, `channel:${this.p.channelId}`);
      const ch = await ari.getChannel(this.p.channelId);
      this.originated = true;
      if (this.recorder?.mode === 'all' || ch.state === 'Up') this.recorder?.start(true);
      this.applyChannel(ch, true);
      this.arm(POLL_MS);
    } catch (err) {
      if (this.done) return;
      // 422 "Event source does not exist" is how the subscription says the channel is gone.
      if (isAriHttpError(err, 404) || isAriHttpError(err, 422)) {
        this.originated = true;
        const seen = await this.witnessed();
        if (this.done) return;
        if (seen) return this.finishWitnessed(seen);
        const why = this.p.resume
          ? 'a worker that stopped may already have placed this attempt and its channel is gone; not dialed again'
          : 'this attempt was already placed and its channel is gone; not dialed again';
        this.finishWithout('UNKNOWN', why, 'error', this.p.resumeState);
      } else {
        this.finishError(err);
      }
    }
  }

  private onEvent(ev: AriEvent): void {
    const wasUp = this.s.up;
    const rang = this.s.ringingAt !== undefined;
    // A call followed for a dead worker, answered after its app lost its socket: Stasis() failed and Asterisk hangs up.
    if (ev.type === 'ChannelVarset' && ev.variable === 'STASISSTATUS' && ev.value === 'FAILED' && ev.channel?.id === this.p.channelId) this.stasisFailed = true;
    const actions = transition(this.s, ev, this.now(), this.p.channelId);
    if (ev.type === 'ChannelDtmfReceived' && actions.length > 0) this.messageRunner().keyPressed();
    this.run(actions);
    if (!rang && this.s.ringingAt !== undefined && !this.s.up && !this.done) this.deps.observer?.ringing?.({ channelId: this.p.channelId });
    if (!wasUp && this.s.up && !this.done) {
      this.recorder?.answered(this.adopted);
      this.deps.observer?.answered?.({ channelId: this.p.channelId, ringMs: (this.s.answeredAt ?? 0) - (this.s.ringingAt ?? this.createdAt) });
    }
  }

  private run(actions: CallAction[]): void {
    for (const a of actions) {
      if (a.type === 'continue') void this.continueInDialplan(a.to, this.now(), 0, a.place);
      else if (a.type === 'hangup') void this.hangup(a.why);
      else if (a.type === 'notice' || a.type === 'noticeOver')
        this.recorder?.notice(a, (why) => this.run(noticeRefused(this.s, why, this.now(), this.p.channelId)));
      else if (a.type !== 'ended') this.messageRunner().run(a);
      else if (this.stasisFailed) this.finishStasisFailed(a.cause, a.causeTxt, this.deps.events.app, this.now());
      else this.finishDestroyed(a.cause, a.causeTxt, a.techCause);
    }
  }

  private messageRunner(): MessageRunner {
    const { channelId, endpoint } = this.p;
    const { optOut, observer } = this.deps;
    return (this.runner ??= new MessageRunner({
      ari: this.deps.ari,
      channelId,
      log: this.log,
      now: this.now,
      playRefused: (id, reason, away) => this.run(playRefused(this.s, id, reason, away)),
      deadline: () => this.run(deadlinePassed(this.s, this.now())),
      optOut: optOut && (() => optOut({ channelId, endpoint })),
      keyAction: (latencyMs) => observer?.keyAction?.({ channelId, latencyMs }),
    }));
  }

  private async continueInDialplan(to: ContinueTarget, decidedAt: number, tries = 0, place?: DialplanPlace): Promise<void> {
    const { ari } = this.deps;
    try {
      // The AMD context returns the call to ${ARIDIALER_APP}, set at originate to the app that placed it: ours now.
      if (to === 'amd' && this.adopted) await ari.setChannelVar(this.p.channelId, AMD_APP_VAR, this.deps.events.app);
      await ari.continueInDialplan(this.p.channelId, place ?? placeOf(this.p, to));
      this.runner?.acted();
      // `continued` says the call reached where it was going; AMD is a stop on the way.
      if (to !== 'amd') this.continueAccepted = true;
      this.deps.observer?.continued?.({ channelId: this.p.channelId, latencyMs: this.now() - decidedAt });
      // Answered: the ringing deadline no longer applies; the talk limit or the hard cap does.
      if (!this.done) this.arm(this.p.maxCallS ? this.p.maxCallS * 1000 : Math.max(0, this.hardCapAt - this.now()));
    } catch (err) {
      if (this.done) return;
      this.reportRestError(err);
      // 409: it left Stasis (hung up meanwhile, or a previous run already continued it); 404: it is gone.
      if (isAriHttpError(err, 409) || isAriHttpError(err, 404)) return;
      if (tries < 2) {
        setTimeout(() => void this.continueInDialplan(to, decidedAt, tries + 1, place), 200 * (tries + 1)).unref();
        return;
      }
      // Never leave a callee listening to silence in our app.
      this.log.error({ err: (err as Error).message }, 'continue failed; hanging up');
      void this.hangup(`continue failed: ${(err as Error).message}`);
    }
  }

  protected readonly onAbort = (): void => {
    if (this.done) return;
    this.cancelled = true;
    if (this.originated) void this.hangup('cancelled');
    this.timerGiveUp = setTimeout(this.giveUp, this.p.hangupWaitMs ?? 3_000);
  };

  /**
   * Aborted, and still no end: Asterisk is unreachable or not answering the hangup. Whoever aborted (a shutdown, a
   * Ctrl+C) must not wait on it forever, and the call must not be reported as anything we did not see: UNKNOWN, with
   * the last state we saw. A verdict held for evidence ends by itself within moments.
   */
  private readonly giveUp = (): void => {
    if (this.done || this.timerHeld !== undefined) return;
    const reason: unknown = this.p.signal?.reason;
    const during = typeof reason === 'string' ? reason : 'the hangup';
    const last = lastState(this.s);
    const why =
      this.unreachable !== undefined || !this.deps.events.connected
        ? `Asterisk unreachable during ${during} (${this.unreachable ?? 'ARI event socket down'}): the call could not be hung up or followed; last seen ${last}`
        : `no end from Asterisk within ${this.p.hangupWaitMs ?? 3_000} ms of the hangup during ${during}; last seen ${last}`;
    this.finishWithout('UNKNOWN', why, 'error', last);
  };

  private async hangup(why: string): Promise<void> {
    this.hangupWhy ??= why;
    this.log.info({ why }, 'hanging up');
    try {
      await this.deps.ari.hangup(this.p.channelId, 'normal');
      this.unreachable = undefined;
      this.runner?.acted();
    } catch (err) {
      if (err instanceof AriUnreachableError) this.unreachable = err.message;
      if (!isAriHttpError(err, 404)) this.reportRestError(err);
    }
    // ChannelDestroyed normally follows at once; if not, ask Asterisk soon.
    if (!this.done) this.arm(this.p.graceMs ?? 5_000);
  }

  private arm(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.check('no ChannelDestroyed by the deadline'), ms);
  }

  /** No news in time (or after a reconnect): ask Asterisk whether the channel still exists. */
  private async check(why: string): Promise<void> {
    // After ChannelDestroyed (a verdict may be held for evidence) there is nothing left to ask Asterisk.
    if (this.done || !this.originated || this.checking || this.s.phase === 'ended') return;
    this.checking = true;
    try {
      const ch = await this.deps.ari.getChannel(this.p.channelId);
      if (this.done) return;
      this.applyChannel(ch, false);
      const now = this.now();
      const talkLimitHit = this.p.maxCallS !== undefined && this.s.answeredAt !== undefined && now - this.s.answeredAt >= this.p.maxCallS * 1000;
      // Still there although we hung it up (that request failed): ask again, never leave a callee in silence.
      if (this.hangupWhy !== undefined) await this.hangup(this.hangupWhy);
      else if (now >= this.hardCapAt || talkLimitHit) await this.hangup(talkLimitHit ? 'maximum call length reached' : 'hard cap reached');
      // Asterisk should have ended an unanswered call at the originate timeout; ringing far past it is stuck.
      else if (!this.s.up && now >= this.ringCapAt) await this.hangup('still ringing well past the originate timeout');
      else this.arm(Math.min(POLL_MS, Math.max(1, this.hardCapAt - now)));
    } catch (err) {
      if (this.done) return;
      if (err instanceof AriUnreachableError) this.unreachable = err.message;
      if (isAriHttpError(err, 404)) {
        await this.lostSight(why);
      } else if (this.now() >= this.hardCapAt) {
        this.finishWithout('UNKNOWN', `Asterisk unreachable past the hard cap: ${(err as Error).message}`, 'error');
      } else {
        this.arm(POLL_MS);
      }
    } finally {
      this.checking = false;
    }
  }

  private applyChannel(ch: Channel, adopting: boolean): void {
    this.run(applySnapshot(this.s, ch.state, this.now()));
    // An Up channel we never continued (we were away when it answered) still needs to go on to the dialplan.
    if (ch.state === 'Up' && (adopting || this.s.inStasis)) this.run(actOnFoundInStasis(this.s, this.now(), this.p.channelId));
  }

  private reportRestError(err: unknown): void {
    if (isAriHttpError(err)) {
      this.deps.observer?.restError?.({ channelId: this.p.channelId, status: err.status, method: err.method, path: err.path });
    }
  }
}
