import * as ev from './ari-events.js';
import { CAUSE, SOFTHANGUP, dialStatusForCause } from './causes.js';
import { OUTGOING_APP, type SimChannel } from './channel-model.js';
import type { CallEnv, CallSetup } from './call-env.js';
import type { AriEventBody } from './event-bus.js';

/** setTimeout's ceiling (2^31-1 ms); longer delays would fire immediately. */
const MAX_TIMER_MS = 2_147_483_647;

export type CallPhase = 'dialing' | 'stasis' | 'amd' | 'dialplan' | 'ended';

/**
 * A call's channels and how they end: hangups from either side, DELETE, shutdown, and the events each emits in
 * Asterisk 20's order. The script from dial to dialplan (call-script.ts) builds on it. At most two timers run per
 * call: the far end's (ring, answer, talk) and the dialplan's (after continue).
 */
export abstract class CallChannels {
  protected phase: CallPhase = 'dialing';
  /** Set once the channel has been in Stasis: app_stasis then reports STASISSTATUS=SUCCESS when it leaves. */
  protected enteredStasis = false;
  protected answered = false;
  /** The app the channel is in (or was last in): StasisEnd goes to it. */
  protected stasisApp: string | undefined;
  protected lineTimer: NodeJS.Timeout | undefined;
  protected planTimer: NodeJS.Timeout | undefined;

  constructor(
    protected readonly env: CallEnv,
    readonly setup: CallSetup,
  ) {}

  get main(): SimChannel {
    return this.setup.main;
  }

  inStasis(channel: SimChannel): boolean {
    return this.phase === 'stasis' && channel === this.setup.main;
  }

  /** The far end hangs up before answering (a SIP final response; a Local `;2` running Hangup(cause)). */
  protected remoteHangupWhileDialing(cause: number, fromDialplan = true): void {
    const { main, peer } = this.setup;
    if (peer && fromDialplan) this.dialplanStep(peer, 'Hangup', String(cause));
    this.pub(main, ev.channelHangupRequest(main, cause));
    if (peer) this.destroyPeer(cause);
    this.pub(main, this.dialEvent(dialStatusForCause(cause)));
    this.destroyMain(cause);
  }

  protected leaveStasis(): void {
    const { main } = this.setup;
    if (this.stasisApp !== undefined) this.env.bus.sendToApp(this.stasisApp, ev.stasisEnd(main));
  }

  /** DELETE /channels/{id}: a soft hangup of either half, with the cause the reason maps to. */
  hangupRequested(channel: SimChannel, cause: number): void {
    if (this.phase === 'ended') return;
    this.pub(channel, ev.channelHangupRequest(channel, SOFTHANGUP.EXPLICIT, true));
    if (channel !== this.setup.main) {
      if (this.phase === 'dialing') return this.remoteHangupWhileDialing(cause, false);
      return this.calleeHangsUp(cause);
    }
    if (this.phase === 'dialing') {
      this.pub(channel, this.dialEvent(dialStatusForCause(cause)));
      return this.mainHangsUp(cause);
    }
    if (this.phase === 'stasis') this.leaveStasis();
    this.mainHangsUp(cause);
  }

  /** The originated side ends (Hangup() ran, DELETE, timeout, failed Stasis): Local queues the hangup to `;2`. */
  protected mainHangsUp(cause: number): void {
    const { peer } = this.setup;
    this.beforeMainDestroyed();
    if (peer) return this.hangupLocalPair(cause, cause);
    this.destroyMain(cause);
  }

  /** The callee hangs up after answering: Local `;2` ran out of dialplan, or the SIP far end sent BYE. */
  protected calleeHangsUp(cause: number): void {
    if (this.phase === 'ended') return;
    const { main, peer } = this.setup;
    if (peer) {
      // The `;2` half's app returns (Playback() reports SUCCESS even when cut), it is torn down softly, and its
      // hangup is queued to `;1` (hangup_during_playback.json, talk_detect_machine_greeting.json).
      if (peer.dialplan.app_name === 'Playback') this.pub(peer, ev.channelVarset(peer, 'PLAYBACKSTATUS', 'SUCCESS'));
      this.pub(peer, ev.channelHangupRequest(peer, SOFTHANGUP.APPUNLOAD, true));
    }
    this.pub(main, ev.channelHangupRequest(main, cause));
    if (peer) this.destroyPeer(cause);
    if (this.phase === 'amd') {
      this.pub(main, ev.channelVarset(main, 'AMDSTATUS', 'HANGUP'));
      this.pub(main, ev.channelVarset(main, 'AMDCAUSE', ''));
    }
    if (this.phase === 'stasis') this.leaveStasis();
    this.beforeMainDestroyed();
    this.destroyMain(cause);
  }

  /** app_stasis reports how Stasis() went when it returns; chan_sip adds RTP statistics to an answered channel. */
  protected beforeMainDestroyed(): void {
    const { main, endpoint } = this.setup;
    if (this.enteredStasis) this.pub(main, ev.channelVarset(main, 'STASISSTATUS', 'SUCCESS'));
    if (endpoint.tech.rtpQosVars && this.answered) {
      for (const [name, value] of ev.RTP_QOS_VARS) this.pub(main, ev.channelVarset(main, name, value));
      main.setDialplan(OUTGOING_APP);
      this.pub(main, ev.channelVarset(main, ev.RTP_QOS_VARS[0]![0], ev.RTP_QOS_VARS[0]![1]));
    }
  }

  /** `;1` goes: its hangup is queued to `;2` (with `;1`'s cause), `;2` is then torn down softly. */
  protected hangupLocalPair(mainCause: number, peerCause: number): void {
    const peer = this.setup.peer!;
    this.pub(peer, ev.channelHangupRequest(peer, mainCause));
    this.destroyMain(mainCause);
    this.pub(peer, ev.channelHangupRequest(peer, SOFTHANGUP.APPUNLOAD, true));
    this.destroyPeer(peerCause);
  }

  protected destroyPeer(cause: number): void {
    const peer = this.setup.peer!;
    if (!this.env.registry.has(peer.id)) return;
    peer.setDialplan({ app_name: '', app_data: '' });
    this.pub(peer, ev.channelDestroyed(peer, cause));
    this.env.registry.remove(peer);
    this.env.bus.forget(peer);
  }

  protected destroyMain(cause: number): void {
    const { main } = this.setup;
    this.stopTimers();
    this.phase = 'ended';
    main.setDialplan(OUTGOING_APP);
    this.env.registry.ending(main);
    this.pub(main, ev.channelDestroyed(main, cause));
    this.env.registry.remove(main);
    this.env.bus.forget(main);
    this.ended();
  }

  /**
   * `core restart now` / `core stop now`: ast_softhangup_all() flags every channel (ChannelHangupRequest cause 4,
   * soft), then each call unwinds. Nothing on that path sets a hangup cause, so every channel is destroyed with 0.
   * A ringing call unwinds as live-calls-at-restart.json shows (the `;2` half goes first, then Dial NOANSWER); an
   * answered one like a callee hanging up with cause 0 (StasisEnd, STASISSTATUS=SUCCESS, as app_stasis.c reports a
   * Stasis() left because of a hangup).
   */
  hangUpForShutdown(): void {
    if (this.phase === 'ended') return;
    const { main, peer } = this.setup;
    this.stopTimers();
    this.pub(main, ev.channelHangupRequest(main, SOFTHANGUP.SHUTDOWN, true));
    if (peer) this.pub(peer, ev.channelHangupRequest(peer, SOFTHANGUP.SHUTDOWN, true));
    if (this.phase === 'dialing') {
      if (peer) {
        this.pub(peer, ev.channelHangupRequest(peer, SOFTHANGUP.APPUNLOAD, true));
        this.pub(main, ev.channelHangupRequest(main, CAUSE.UNKNOWN));
        this.destroyPeer(CAUSE.UNKNOWN);
      }
      this.pub(main, this.dialEvent(dialStatusForCause(CAUSE.UNKNOWN)));
      return this.destroyMain(CAUSE.UNKNOWN);
    }
    if (peer) {
      // The `;2` half's dialplan is interrupted first; its hangup is queued to `;1` with its (unset) cause.
      this.pub(main, ev.channelHangupRequest(main, CAUSE.UNKNOWN));
      this.destroyPeer(CAUSE.UNKNOWN);
    }
    if (this.phase === 'stasis') this.leaveStasis();
    this.beforeMainDestroyed();
    this.destroyMain(CAUSE.UNKNOWN);
  }

  /** Asterisk went away: every structure goes, no event is sent. */
  vanish(): void {
    if (this.phase === 'ended') return;
    this.stopTimers();
    this.phase = 'ended';
    for (const ch of [this.setup.main, this.setup.peer]) {
      if (!ch) continue;
      this.env.registry.remove(ch);
      ch.subscribers.clear();
    }
  }

  protected stopTimers(): void {
    clearTimeout(this.lineTimer);
    clearTimeout(this.planTimer);
    this.lineTimer = this.planTimer = undefined;
  }

  /** A step at a given priority: after a GotoIf that jumped to a label. */
  protected dialplanStepAt(ch: SimChannel, priority: number, app: string, data: string): void {
    ch.setDialplan({ priority, app_name: app, app_data: data });
    this.pub(ch, ev.channelDialplan(ch));
  }

  protected dialplanStep(ch: SimChannel, app: string, data: string): void {
    // The `;2` half starts at priority 1 with no app; each step of its dialplan is the next priority.
    const priority = ch.dialplan.app_name === '' && ch.dialplan.priority === 1 ? 1 : ch.dialplan.priority + 1;
    ch.setDialplan({ priority, app_name: app, app_data: data });
    this.pub(ch, ev.channelDialplan(ch));
  }

  protected dialEvent(status: string): AriEventBody {
    return ev.dial(this.setup.main, status, this.setup.endpoint.dialstring);
  }

  protected pub(ch: SimChannel, body: AriEventBody): void {
    this.env.bus.publish(ch, body);
  }

  /** The originated channel is gone (the subclass tells the simulator). */
  protected abstract ended(): void;

  /** Schedules `fn` after simulated ms; never for an endless wait (a timer that long would fire at once in Node). */
  protected after(simMs: number, fn: () => void): NodeJS.Timeout | undefined {
    const ms = this.env.scale(simMs);
    if (!(ms <= MAX_TIMER_MS)) return undefined;
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  }
}
