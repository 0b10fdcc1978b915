import { simAmdRun, simAmdTunables } from './amd-model.js';
import * as ev from './ari-events.js';
import { CAUSE } from './causes.js';
import { OUTGOING_APP, type DialplanTarget, type SimChannel } from './channel-model.js';
import { CallMedia } from './call-media.js';
import type { ChannelOwner } from './registry.js';

export type { CallEnv, CallSetup } from './call-env.js';

/** Channel variables our AMD context reads (src/dialer/amd/amd-options.ts AMD_ARGS_VAR, AMD_APP_VAR). */
const AMD_ARGS_VAR = 'ARIDIALER_AMD';
const AMD_APP_VAR = 'ARIDIALER_APP';

/**
 * One originated call from dial to destroy, emitting the events a real Asterisk 20 emits, in its order, for Local
 * (two halves) and single-channel drivers: dialing, answer, Stasis and the simulated dialplan. How its channels end
 * is CallChannels'; what happens after the answer (keys, playbacks, the callee's side) CallMedia's.
 */
export class Call extends CallMedia implements ChannelOwner {
  /** Read() waiting for a key in the survey context, and what it does with one. */
  private reading: ((digit: string) => void) | undefined;

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
      this.lineTimer = this.after(timeline.ringAt, () => {
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
    const { main, peer } = this.setup;
    this.answered = true;
    this.markAnswered();
    if (peer) {
      this.dialplanStep(peer, 'Answer', '');
      peer.state = 'Up';
      this.pub(peer, ev.channelStateChange(peer));
    }
    main.state = 'Up';
    this.pub(main, ev.channelStateChange(main));
    this.pub(main, this.dialEvent('ANSWER'));
    this.startTalk(false);
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

  /**
   * POST /channels/{id}/continue, once the channel is in Stasis. Stasis commands run one at a time: behind a
   * playback that still plays, the continue waits for its end (stop it first to leave at once).
   */
  continueInDialplan(target: DialplanTarget): void {
    if (this.phase !== 'stasis') return;
    const go = (): void => {
      if (this.phase !== 'stasis') return;
      this.leaveStasis();
      if (target.context === this.env.amdContext) this.runAmd(target);
      else this.runDialplan(target);
    };
    if (this.playing) this.pendingContinue = go;
    else go();
  }

  /** A dialplan function (`TALK_DETECT(set)`) is written, not set: no ChannelVarset. Other functions do nothing here. */
  setVariable(channel: SimChannel, name: string, value: string): void {
    const fn = /^([A-Z_]+)\((.*)\)$/.exec(name);
    if (fn) {
      if (fn[1] === 'TALK_DETECT' && channel === this.setup.main) this.talkDetect(fn[2] === 'set', value);
      return;
    }
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
    this.holdKeys();
    this.planTimer = this.after(run.ms, () => {
      // AMD() notices the hangup (ast_read gives no frame) and sets HANGUP; calleeHangsUp reports it.
      if (run.status === 'HANGUP') return this.calleeHangsUp(CAUSE.NORMAL_CLEARING);
      this.pub(main, ev.channelVarset(main, 'AMDSTATUS', run.status));
      this.pub(main, ev.channelVarset(main, 'AMDCAUSE', run.cause));
      this.startTalk(true);
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

  protected ended(): void {
    this.env.onEnded(this);
  }

  /**
   * The simulated dialplan (docs/simulator.md): the lab's `survey` (alias `vartest`) and `humandest` contexts, and
   * everywhere else Answer(), Wait(dialplanMs), Hangup().
   */
  private runDialplan(target: DialplanTarget): void {
    const { main } = this.setup;
    this.phase = 'dialplan';
    if (target.context === 'survey' || target.context === 'vartest') return this.runSurvey(target);
    if (target.context === 'humandest') return this.runHumanDest(target);
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

  private step(target: DialplanTarget, offset: number, app: string, data: string): void {
    const { main } = this.setup;
    main.setDialplan({ context: target.context, exten: target.exten, priority: target.priority + offset, app_name: app, app_data: data });
    this.pub(main, ev.channelDialplan(main));
  }

  private setVar(name: string, value: string): void {
    const { main } = this.setup;
    main.variables.set(name, value);
    this.pub(main, ev.channelVarset(main, name, value));
  }

  private hangupStep(target: DialplanTarget, offset: number): void {
    this.step(target, offset, 'Hangup', '');
    this.mainHangsUp(CAUSE.NORMAL_CLEARING);
  }

  /**
   * The lab's `vartest`: Set(SURVEY_STARTED=yes), Read(SURVEY_ANSWER,,1,,1,6), Set(SURVEY_DONE=${READSTATUS}),
   * Hangup(). Read() sets READSTATUS=ERROR on entry (apps/app_read.c), then the key and OK, or '' and TIMEOUT.
   */
  private runSurvey(target: DialplanTarget): void {
    this.step(target, 0, 'Set', 'SURVEY_STARTED=yes');
    this.setVar('SURVEY_STARTED', 'yes');
    this.step(target, 1, 'Read', 'SURVEY_ANSWER,,1,,1,6');
    this.setVar('READSTATUS', 'ERROR');
    const done = (answer: string, status: string): void => {
      this.reading = undefined;
      clearTimeout(this.planTimer);
      this.setVar('SURVEY_ANSWER', answer);
      this.setVar('READSTATUS', status);
      this.step(target, 2, 'Set', `SURVEY_DONE=${status}`);
      this.setVar('SURVEY_DONE', status);
      this.hangupStep(target, 3);
    };
    this.reading = (digit) => done(digit, 'OK');
    this.planTimer = this.after(SURVEY_READ_TIMEOUT_MS, () => done('', 'TIMEOUT'));
  }

  /** The lab's `humandest`: NoOp(HUMANDEST ${CHANNEL}), Wait(0.5), Hangup(). */
  private runHumanDest(target: DialplanTarget): void {
    this.step(target, 0, 'NoOp', `HUMANDEST ${this.setup.main.name}`);
    this.step(target, 1, 'Wait', '0.5');
    this.planTimer = this.after(500, () => this.hangupStep(target, 2));
  }

  protected keyInDialplan(digit: string): void {
    this.reading?.(digit);
  }
}

/** Read()'s timeout in the survey context (its sixth argument, 6 s). */
const SURVEY_READ_TIMEOUT_MS = 6000;
