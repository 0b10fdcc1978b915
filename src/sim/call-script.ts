import type { Logger } from '../log.js';
import { simAmdRun, simAmdTunables, type SimAmdStatus } from './amd-model.js';
import * as ev from './ari-events.js';
import { CAUSE, SOFTHANGUP, dialStatusForCause } from './causes.js';
import { OUTGOING_APP, type DialplanTarget, type SimChannel } from './channel-model.js';
import type { Timeline } from './call-timeline.js';
import { seconds } from './call-timeline.js';
import type { AriEventBody, EventBus } from './event-bus.js';
import type { ChannelOwner, ChannelRegistry } from './registry.js';
import type { ParsedEndpoint } from './technologies.js';

/** What a call needs from the simulator around it. */
export interface CallEnv {
  readonly bus: EventBus;
  readonly registry: ChannelRegistry;
  /** Simulated ms → real ms (the time scale). */
  scale(ms: number): number;
  /** Cause when the originate timeout expires while ringing. */
  readonly noAnswerCause: number;
  /** How long the continued-to dialplan runs before Hangup(), simulated ms. */
  readonly dialplanMs: number;
  /** The context whose dialplan runs AMD() then Stasis(app,amd,STATUS,CAUSE) (AriSimOptions.amdContext). */
  readonly amdContext: string;
  /** app_amd.so is loaded (AriSimOptions.missingModules does not name it). */
  readonly amdLoaded: boolean;
  /** Called once, when the originated (`;1`) channel is destroyed. */
  onEnded(call: Call): void;
  readonly log: Logger;
}

export interface CallSetup {
  readonly endpoint: ParsedEndpoint;
  readonly timeline: Timeline;
  /** The originated channel (`;1` for Local). */
  readonly main: SimChannel;
  /** The `;2` half of a Local channel. */
  readonly peer: SimChannel | undefined;
  /** Stasis app to enter on answer; undefined for an originate to a dialplan extension. */
  readonly app: string | undefined;
  readonly appArgs: readonly string[];
  /** What AMD() would say of this callee (amd-model.ts). */
  readonly amd: SimAmdStatus;
  /** Where an originate without app goes on answer. */
  readonly extension: DialplanTarget | undefined;
}

/** Answer() waits up to 500 ms for media before returning; a Local `;2` shows its next app that much later. */
const ANSWER_MEDIA_WAIT_MS = 500;

/** setTimeout's ceiling (2^31-1 ms); longer delays would fire immediately. */
const MAX_TIMER_MS = 2_147_483_647;

type Phase = 'dialing' | 'stasis' | 'amd' | 'dialplan' | 'ended';

/** Channel variables our AMD context reads (src/dialer/amd/amd-options.ts AMD_ARGS_VAR, AMD_APP_VAR). */
const AMD_ARGS_VAR = 'ARIDIALER_AMD';
const AMD_APP_VAR = 'ARIDIALER_APP';

/**
 * One originated call from dial to destroy, emitting the events a real Asterisk 20 emits, in its order, for Local
 * (two halves) and single-channel drivers. At most two timers run per call: the far end's (ring, answer, talk) and
 * the dialplan's (after continue).
 */
export class Call implements ChannelOwner {
  private phase: Phase = 'dialing';
  /** Set once the channel has been in Stasis: app_stasis then reports STASISSTATUS=SUCCESS when it leaves. */
  private enteredStasis = false;
  private answered = false;
  /** The app the channel is in (or was last in): StasisEnd goes to it. */
  private stasisApp: string | undefined;
  private lineTimer: NodeJS.Timeout | undefined;
  private planTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly env: CallEnv,
    readonly setup: CallSetup,
  ) {}

  get main(): SimChannel {
    return this.setup.main;
  }

  inStasis(channel: SimChannel): boolean {
    return this.phase === 'stasis' && channel === this.setup.main;
  }

  /** Emits the first events synchronously (the caller answers the POST afterwards) and schedules the rest. */
  start(): void {
    const { main, peer, timeline } = this.setup;
    if (peer) {
      this.pub(peer, ev.channelCallerId(peer));
      this.pub(peer, ev.channelConnectedLine(peer));
    }
    this.pub(main, this.dialEvent(''));
    if (timeline.ringAt === 0) this.ring();
    if (timeline.endAt === 0 && timeline.end !== 'answer') return this.endDialing();
    const afterRing = timeline.ringAt !== undefined && timeline.ringAt > 0;
    if (afterRing) {
      this.lineTimer = this.after(timeline.ringAt!, () => {
        this.ring();
        this.lineTimer = this.after(timeline.endAt - timeline.ringAt!, () => this.endDialing());
      });
    } else {
      this.lineTimer = this.after(timeline.endAt, () => this.endDialing());
    }
  }

  private ring(): void {
    const { main, peer, timeline } = this.setup;
    if (peer) {
      this.dialplanStep(peer, 'Ringing', '');
      main.state = 'Ringing';
      this.pub(main, ev.channelStateChange(main));
      this.dialplanStep(peer, 'Wait', timeline.ringSeconds);
    } else {
      main.state = 'Ringing';
      this.pub(main, ev.channelStateChange(main));
    }
    this.pub(main, this.dialEvent('RINGING'));
  }

  private endDialing(): void {
    if (this.phase !== 'dialing') return;
    const { end } = this.setup.timeline;
    switch (end) {
      case 'answer':
        return this.answer();
      case 'noanswer':
        return; // rings until the originate timeout (or forever without one)
      case 'timeout':
        return this.mainHangsUp(this.env.noAnswerCause);
      case 'busy':
        return this.signalFailure('Busy', 'BUSY', CAUSE.USER_BUSY);
      case 'congestion':
        return this.signalFailure('Congestion', 'CONGESTION', CAUSE.NORMAL_CIRCUIT_CONGESTION);
      case 'rejected':
        return this.remoteHangupWhileDialing(CAUSE.CALL_REJECTED);
      case 'unavailable':
        return this.remoteHangupWhileDialing(CAUSE.SUBSCRIBER_ABSENT);
      case 'failed':
        return this.remoteHangupWhileDialing(CAUSE.NETWORK_OUT_OF_ORDER);
    }
  }

  /**
   * Busy and congestion arrive as control frames: the dialler reports them and hangs the dialled channel up itself,
   * which is why a Local `;1` ends with cause 0 while its `;2` carries the real cause.
   */
  private signalFailure(app: 'Busy' | 'Congestion', dialstatus: string, cause: number): void {
    const { main, peer } = this.setup;
    if (!peer) {
      this.pub(main, this.dialEvent(dialstatus));
      return this.destroyMain(cause);
    }
    this.dialplanStep(peer, app, '');
    peer.state = 'Busy';
    this.pub(peer, ev.channelStateChange(peer));
    this.pub(main, this.dialEvent(dialstatus));
    this.hangupLocalPair(CAUSE.UNKNOWN, cause);
  }

  /** The far end hangs up before answering (a SIP final response; a Local `;2` running Hangup(cause)). */
  private remoteHangupWhileDialing(cause: number, fromDialplan = true): void {
    const { main, peer } = this.setup;
    if (peer && fromDialplan) this.dialplanStep(peer, 'Hangup', String(cause));
    this.pub(main, ev.channelHangupRequest(main, cause));
    if (peer) this.destroyPeer(cause);
    this.pub(main, this.dialEvent(dialStatusForCause(cause)));
    this.destroyMain(cause);
  }

  private answer(): void {
    const { main, peer, timeline } = this.setup;
    this.answered = true;
    if (peer) {
      this.dialplanStep(peer, 'Answer', '');
      peer.state = 'Up';
      this.pub(peer, ev.channelStateChange(peer));
    }
    main.state = 'Up';
    this.pub(main, ev.channelStateChange(main));
    this.pub(main, this.dialEvent('ANSWER'));
    if (peer) {
      this.lineTimer = this.after(ANSWER_MEDIA_WAIT_MS, () => {
        this.dialplanStep(peer, 'Wait', seconds(timeline.talkMs));
        this.lineTimer = this.after(timeline.talkMs, () => this.calleeHangsUp(CAUSE.NORMAL_CLEARING));
      });
    } else {
      this.lineTimer = this.after(timeline.talkMs, () => this.calleeHangsUp(CAUSE.NORMAL_CLEARING));
    }
    this.enterApp();
  }

  /** What ari_originate_dial does with the answered channel: Stasis(app), or the dialplan for an extension. */
  private enterApp(): void {
    const { main, app, appArgs, extension } = this.setup;
    if (app === undefined) return this.runDialplan(extension ?? { context: 'default', exten: 's', priority: 1 });
    main.setDialplan({ app_name: 'Stasis', app_data: [app, ...appArgs].join(',') });
    this.pub(main, ev.channelVarset(main, 'STASISSTATUS', ''));
    if (!this.env.bus.isActive(app)) {
      // No socket holds the app: Stasis() fails ("not active") and the dialler hangs the channel up, cause unset.
      this.env.log.debug({ channelId: main.id, app }, 'stasis app not active at answer; hanging up');
      this.pub(main, ev.channelVarset(main, 'STASISSTATUS', 'FAILED'));
      main.setDialplan(OUTGOING_APP);
      return this.mainHangsUp(CAUSE.UNKNOWN);
    }
    this.joinStasis(app, appArgs);
  }

  private joinStasis(app: string, args: readonly string[]): void {
    const { main } = this.setup;
    this.env.bus.subscribe(app, main);
    this.phase = 'stasis';
    this.enteredStasis = true;
    this.stasisApp = app;
    this.env.bus.sendToApp(app, ev.stasisStart(main, args));
  }

  /** POST /channels/{id}/continue, once the channel is in Stasis. */
  continueInDialplan(target: DialplanTarget): void {
    if (this.phase !== 'stasis') return;
    this.leaveStasis();
    if (target.context === this.env.amdContext) this.runAmd(target);
    else this.runDialplan(target);
  }

  setVariable(channel: SimChannel, name: string, value: string): void {
    channel.variables.set(name, value);
    this.pub(channel, ev.channelVarset(channel, name, value));
  }

  private leaveStasis(): void {
    const { main } = this.setup;
    if (this.stasisApp !== undefined) this.env.bus.sendToApp(this.stasisApp, ev.stasisEnd(main));
  }

  /**
   * The AMD context: `AMD(${ARIDIALER_AMD})`, then `Stasis(${ARIDIALER_APP},amd,${AMDSTATUS},${AMDCAUSE})`, then
   * `Hangup()`. AMD listens for the model's time (amd-model.ts) and the callee's talk time starts after its verdict.
   */
  private runAmd(target: DialplanTarget): void {
    const { main } = this.setup;
    this.phase = 'amd';
    const args = main.variables.get(AMD_ARGS_VAR) ?? '';
    main.setDialplan({ context: target.context, exten: target.exten, priority: target.priority, app_name: 'AMD', app_data: args });
    this.pub(main, ev.channelDialplan(main));
    // No application AMD (app_amd not loaded): the PBX stops at this priority and hangs the channel up.
    if (!this.env.amdLoaded) return this.mainHangsUp(CAUSE.NORMAL_CLEARING);
    const run = simAmdRun(this.setup.amd, simAmdTunables(args));
    clearTimeout(this.lineTimer);
    this.lineTimer = undefined;
    this.planTimer = this.after(run.ms, () => {
      // AMD() notices the hangup (ast_read gives no frame) and sets HANGUP; calleeHangsUp reports it.
      if (run.status === 'HANGUP') return this.calleeHangsUp(CAUSE.NORMAL_CLEARING);
      this.pub(main, ev.channelVarset(main, 'AMDSTATUS', run.status));
      this.pub(main, ev.channelVarset(main, 'AMDCAUSE', run.cause));
      this.lineTimer = this.after(this.setup.timeline.talkMs, () => this.calleeHangsUp(CAUSE.NORMAL_CLEARING));
      const app = main.variables.get(AMD_APP_VAR) ?? '';
      const stasisArgs = ['amd', run.status, run.cause];
      main.setDialplan({ priority: target.priority + 1, app_name: 'Stasis', app_data: [app, ...stasisArgs].join(',') });
      this.pub(main, ev.channelDialplan(main));
      this.pub(main, ev.channelVarset(main, 'STASISSTATUS', ''));
      if (app !== '' && this.env.bus.isActive(app)) return this.joinStasis(app, stasisArgs);
      // Stasis() fails (no such app, or no socket holds it) and the dialplan goes on to its Hangup().
      this.pub(main, ev.channelVarset(main, 'STASISSTATUS', 'FAILED'));
      main.setDialplan({ priority: target.priority + 2, app_name: 'Hangup', app_data: '' });
      this.pub(main, ev.channelDialplan(main));
      this.mainHangsUp(CAUSE.NORMAL_CLEARING);
    });
  }

  /** The simulated dialplan, the same at every context/extension: Answer(), Wait(dialplanMs), Hangup(). */
  private runDialplan(target: DialplanTarget): void {
    const { main } = this.setup;
    this.phase = 'dialplan';
    main.setDialplan({ context: target.context, exten: target.exten, priority: target.priority });
    main.setDialplan({ app_name: 'Answer', app_data: '' });
    this.pub(main, ev.channelDialplan(main));
    main.setDialplan({ priority: target.priority + 1, app_name: 'Wait', app_data: String(this.env.dialplanMs / 1000) });
    this.pub(main, ev.channelDialplan(main));
    this.planTimer = this.after(this.env.dialplanMs, () => {
      main.setDialplan({ priority: target.priority + 2, app_name: 'Hangup', app_data: '' });
      this.pub(main, ev.channelDialplan(main));
      this.mainHangsUp(CAUSE.NORMAL_CLEARING);
    });
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
  private mainHangsUp(cause: number): void {
    const { peer } = this.setup;
    this.beforeMainDestroyed();
    if (peer) return this.hangupLocalPair(cause, cause);
    this.destroyMain(cause);
  }

  /** The callee hangs up after answering: Local `;2` ran out of dialplan, or the SIP far end sent BYE. */
  private calleeHangsUp(cause: number): void {
    if (this.phase === 'ended') return;
    const { main, peer } = this.setup;
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
  private beforeMainDestroyed(): void {
    const { main, endpoint } = this.setup;
    if (this.enteredStasis) this.pub(main, ev.channelVarset(main, 'STASISSTATUS', 'SUCCESS'));
    if (endpoint.tech.rtpQosVars && this.answered) {
      for (const [name, value] of ev.RTP_QOS_VARS) this.pub(main, ev.channelVarset(main, name, value));
      main.setDialplan(OUTGOING_APP);
      this.pub(main, ev.channelVarset(main, ev.RTP_QOS_VARS[0]![0], ev.RTP_QOS_VARS[0]![1]));
    }
  }

  /** `;1` goes: its hangup is queued to `;2` (with `;1`'s cause), `;2` is then torn down softly. */
  private hangupLocalPair(mainCause: number, peerCause: number): void {
    const peer = this.setup.peer!;
    this.pub(peer, ev.channelHangupRequest(peer, mainCause));
    this.destroyMain(mainCause);
    this.pub(peer, ev.channelHangupRequest(peer, SOFTHANGUP.APPUNLOAD, true));
    this.destroyPeer(peerCause);
  }

  private destroyPeer(cause: number): void {
    const peer = this.setup.peer!;
    if (!this.env.registry.has(peer.id)) return;
    peer.setDialplan({ app_name: '', app_data: '' });
    this.pub(peer, ev.channelDestroyed(peer, cause));
    this.env.registry.remove(peer);
    this.env.bus.forget(peer);
  }

  private destroyMain(cause: number): void {
    const { main } = this.setup;
    this.stopTimers();
    this.phase = 'ended';
    main.setDialplan(OUTGOING_APP);
    this.pub(main, ev.channelDestroyed(main, cause));
    this.env.registry.remove(main);
    this.env.bus.forget(main);
    this.env.onEnded(this);
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

  private stopTimers(): void {
    clearTimeout(this.lineTimer);
    clearTimeout(this.planTimer);
    this.lineTimer = this.planTimer = undefined;
  }

  private dialplanStep(ch: SimChannel, app: string, data: string): void {
    // The `;2` half starts at priority 1 with no app; each step of its dialplan is the next priority.
    const priority = ch.dialplan.app_name === '' && ch.dialplan.priority === 1 ? 1 : ch.dialplan.priority + 1;
    ch.setDialplan({ priority, app_name: app, app_data: data });
    this.pub(ch, ev.channelDialplan(ch));
  }

  private dialEvent(status: string): AriEventBody {
    return ev.dial(this.setup.main, status, this.setup.endpoint.dialstring);
  }

  private pub(ch: SimChannel, body: AriEventBody): void {
    this.env.bus.publish(ch, body);
  }

  /** Schedules `fn` after simulated ms; never for an endless wait (a timer that long would fire at once in Node). */
  private after(simMs: number, fn: () => void): NodeJS.Timeout | undefined {
    const ms = this.env.scale(simMs);
    if (!(ms <= MAX_TIMER_MS)) return undefined;
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  }
}
