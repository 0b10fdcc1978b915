import { silentLogger, type Logger } from '../log.js';
import type { CallResult, Disposition, LastKnownState } from './call-result.js';
import type { CallDeps, CallParams, WitnessedEnd } from './call-options.js';
import { applyWitnessed, assembleResult, endFromCause, endFromError, endInterrupted, endStasisFailed, endWithout } from './call-end.js';
import { endLostSight, endedTooEarlyToTell, gapSince, secs, type CallEnd } from './call-end.js';
import { CallRecorder } from './recording/call-recorder.js';
import { initialCallState, type CallState } from './transitions.js';
import type { MessageRunner } from './message/message-runner.js';

/**
 * How long a cause-0 end that came too early is held while we watch for Asterisk going away. At `core restart now`
 * Asterisk hangs ringing calls up with cause 0 and Dial NOANSWER, then closes the socket within milliseconds
 * (test/sim/traces/restart/live-calls-at-restart.json): the events alone read like a callee who did not answer.
 */
const SHUTDOWN_EVIDENCE_MS = 2_000;

/**
 * The end phase of a call (runCall's LiveCall extends it): from an end seen (ChannelDestroyed, a peer's witness, the
 * channel gone from sight, an error) to the one CallResult delivered, with its recording, once.
 */
export abstract class SettlingCall {
  protected readonly s: CallState;
  protected readonly now: () => number;
  protected readonly log: Logger;
  protected readonly createdAt: number;
  /** Asterisk accepted our `continue` (204). */
  protected continueAccepted = false;
  protected unlisten: (() => void) | undefined;
  protected unreconnect: (() => void) | undefined;
  protected timer: NodeJS.Timeout | undefined;
  /** A verdict held back for evidence (see awaitShutdownEvidence). */
  protected timerHeld: NodeJS.Timeout | undefined;
  /** Armed by an abort: a call that does not end in time is given up (see LiveCall.giveUp). */
  protected timerGiveUp: NodeJS.Timeout | undefined;
  protected cancelled = false;
  protected done = false;
  /** Why we asked Asterisk to hang up; kept so a hangup that failed is asked again until the channel is gone. */
  protected hangupWhy: string | undefined;
  /** Set when the result comes from someone else's sight of the call (a peer's witness). */
  private source: CallResult['source'];
  /** Records the call beside it (`record`); never part of the call's state table. */
  protected readonly recorder: CallRecorder | undefined;
  /** Plays the message and keeps its timer, once there is one. */
  protected runner: MessageRunner | undefined;
  /** Removed from the call's abort signal when it ends. */
  protected abstract readonly onAbort: () => void;

  constructor(
    protected readonly deps: CallDeps,
    protected readonly p: CallParams,
    private readonly resolve: (r: CallResult) => void,
  ) {
    this.s = initialCallState(p.amd, { capture: p.capture?.length ? new Set(p.capture) : undefined, message: p.message, notice: p.record?.notice });
    this.now = deps.now ?? Date.now;
    this.log = deps.log ?? silentLogger;
    this.createdAt = this.now();
    this.recorder = p.record && new CallRecorder({ ari: deps.ari, events: deps.events, log: this.log, now: this.now }, p.channelId, p.record);
  }

  /**
   * The channel is gone and its ChannelDestroyed never reached us. A peer's witness may have seen the end; if not,
   * say what we know. A gap in our socket during the call means we LOST SIGHT of it, which is not "it failed":
   * UNKNOWN with the last state we saw (Asterisk hangs up a call answered while its app has no socket, so a call
   * last seen ringing may have been answered in that gap; see res/res_stasis.c stasis_app_exec).
   */
  protected async lostSight(why: string): Promise<void> {
    const seen = await this.witnessed();
    if (this.done) return;
    if (seen) return this.finishWitnessed(seen);
    this.finish(endLostSight(this.s, this.cancelled, gapSince(this.deps.events, this.createdAt, this.now()), why));
  }

  /** What a peer's app saw of this call's end, if it saw it (a read that fails counts as not seen). */
  protected async witnessed(): Promise<WitnessedEnd | undefined> {
    try {
      return await this.deps.witnessed?.(this.p.channelId);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'could not read the witnessed end of the call');
      return undefined;
    }
  }

  /** Settles the call from what a peer's app saw, exactly as our own events would have (same outcome rules). */
  protected finishWitnessed(seen: WitnessedEnd): void {
    this.source = 'witness';
    applyWitnessed(this.s, seen);
    if (seen.stasisFailed) return this.finishStasisFailed(seen.cause, seen.cause_txt, seen.app, seen.endedAt);
    this.finishWithCause(seen.cause, seen.cause_txt, seen.tech_cause, seen.endedAt);
  }

  protected finishStasisFailed(cause: number, causeTxt: string, seenBy: string, endedAt: number): void {
    this.finish(endStasisFailed(cause, causeTxt, seenBy), endedAt);
  }

  protected finishDestroyed(cause: number, causeTxt: string, techCause: number | undefined): void {
    const early =
      !this.cancelled && this.hangupWhy === undefined && endedTooEarlyToTell(this.s, cause, this.now() - (this.s.ringingAt ?? this.createdAt), this.p.timeoutS);
    if (early) {
      this.awaitShutdownEvidence(cause, causeTxt, techCause);
      return;
    }
    this.finishWithCause(cause, causeTxt, techCause);
  }

  /** Asterisk going away right after (its socket closing) makes the call INTERRUPTED; otherwise the usual verdict. */
  private awaitShutdownEvidence(cause: number, causeTxt: string, techCause: number | undefined): void {
    const endedAt = this.now();
    const ringS = secs(endedAt - (this.s.ringingAt ?? endedAt));
    let off = (): void => undefined;
    const interrupted = (): void => {
      off();
      this.finish(endInterrupted(cause, causeTxt, techCause, ringS, this.p.timeoutS), endedAt);
    };
    if (!this.deps.events.connected) return interrupted();
    off = this.deps.events.on('disconnected', interrupted);
    this.timerHeld = setTimeout(() => {
      off();
      this.finishWithCause(cause, causeTxt, techCause, endedAt);
    }, SHUTDOWN_EVIDENCE_MS);
  }

  private finishWithCause(cause: number, causeTxt: string, techCause: number | undefined, endedAt?: number): void {
    this.finish(endFromCause(this.s, this.cancelled, cause, causeTxt, techCause), endedAt);
  }

  protected finishWithout(disposition: Disposition, reason: string, status: CallResult['status'], lastState?: LastKnownState): void {
    this.finish(endWithout(disposition, reason, status, lastState));
  }

  /** `neverPlaced`: Asterisk certainly did not take our originate (see originateNeverTaken). */
  protected finishError(err: unknown, neverPlaced = false): void {
    this.finish(endFromError(err, this.cancelled, neverPlaced));
  }

  private finish(end: CallEnd, endedAt?: number): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.timer);
    clearTimeout(this.timerHeld);
    clearTimeout(this.timerGiveUp);
    this.unlisten?.();
    this.unreconnect?.();
    this.runner?.close();
    this.p.signal?.removeEventListener('abort', this.onAbort);
    const at = endedAt ?? this.now();
    // An opt-out still being stored: the result says whether it was.
    if (this.runner?.optOutDone) void this.runner.optOutDone.then(() => this.complete(end, at));
    else this.complete(end, at);
  }

  private complete(end: CallEnd, endedAt: number): void {
    const result = assembleResult(this.s, end, {
      channelId: this.p.channelId,
      endpoint: this.p.endpoint,
      callerId: this.p.callerId,
      createdAt: this.createdAt,
      endedAt,
      continued: this.continueAccepted,
      amdContext: this.p.amd?.context,
      source: this.source,
      optOut: this.runner?.optOutNote ?? {},
    });
    if (!this.recorder) return this.deliver(result);
    void this.recorder.settle(endedAt).then((recording) => this.deliver(recording ? { ...result, recording } : result));
  }

  private deliver(result: CallResult): void {
    this.deps.observer?.ended?.(result);
    this.resolve(result);
  }
}
