import { simAmdRun, simAmdTunables } from './amd-model.js';
import * as ev from './ari-events.js';
import { CAUSE } from './causes.js';
import { OUTGOING_APP, type DialplanTarget, type SimChannel } from './channel-model.js';
import { CallChannels } from './call-channels.js';
import { seconds } from './call-timeline.js';
import type { ChannelOwner } from './registry.js';

export type { CallEnv, CallSetup } from './call-env.js';

/** Answer() waits up to 500 ms for media before returning; a Local `;2` shows its next app that much later. */
const ANSWER_MEDIA_WAIT_MS = 500;

/** Channel variables our AMD context reads (src/dialer/amd/amd-options.ts AMD_ARGS_VAR, AMD_APP_VAR). */
const AMD_ARGS_VAR = 'ARIDIALER_AMD';
const AMD_APP_VAR = 'ARIDIALER_APP';

/**
 * One originated call from dial to destroy, emitting the events a real Asterisk 20 emits, in its order, for Local
 * (two halves) and single-channel drivers: dialing, answer, Stasis and the simulated dialplan. How its channels end
 * is CallChannels'.
 */
export class Call extends CallChannels implements ChannelOwner {
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
  protected ended(): void {
    this.env.onEnded(this);
  }

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
}
