import { BadArgumentError } from '../errors.js';

/**
 * `core restart now` as a real Asterisk 20 goes through it, seen from ARI (test/sim/traces/restart/, and
 * main/asterisk.c can_safely_quit / really_quit, main/http.c, res/res_ari.c):
 *
 * - `refusingChannels`: shutdown_pending is set, so every channel allocation fails: originates answer
 *   500 `{"error":"Allocation failed"}`; everything else works. Ends when the live channels are gone (wait_for_channels_to_die
 *   polls every 100 ms).
 * - `shuttingDown`: SHUTTING_DOWN_FINAL: the HTTP server answers every request 503 "Shutdown in progress" (HTML).
 *   can_safely_quit sleeps 1 s here when it had channels to wait for; the live calls' hangup events reach the app at
 *   the end of it, then every connection is reset and the port closes.
 * - `down`: nothing listens (ECONNREFUSED).
 * - `notRegistered`: the new process's HTTP server listens, res_ari has not registered `/ari`: 404 HTML.
 * - `notBooted`: ARI is registered but Asterisk is not fully booted: 503 `{"message":"Asterisk not booted"}`.
 * Then a fresh Asterisk: new channel ids, no apps.
 */
export type RestartPhase = 'refusingChannels' | 'shuttingDown' | 'down' | 'notRegistered' | 'notBooted';

export const RESTART_PHASES: readonly RestartPhase[] = ['refusingChannels', 'shuttingDown', 'down', 'notRegistered', 'notBooted'];

/**
 * How long each phase of `AriSim.restart()` lasts, in real ms (the simulator's `timeScale` does not apply). Any
 * phase may be `Infinity`: the sequence then holds there until `AriSim.releaseRestartPhase()`. `0` skips a phase.
 * The defaults reproduce originates-across-restart.json (30 live calls) to within a few tens of ms.
 */
export interface RestartOptions {
  /** 500 Allocation failed on originate, the rest works. @defaultValue 100 */
  refusingChannelsMs?: number;
  /**
   * 503 HTML on every request; the live calls are hung up at its end. @defaultValue 1000 when channels were live
   * (can_safely_quit's sleep(1)), else 0
   */
  shuttingDownMs?: number;
  /** The port is closed (what `restart(downMs)` sets). @defaultValue 400 */
  downMs?: number;
  /** 404 HTML for every ARI path. @defaultValue 50 */
  notRegisteredMs?: number;
  /** 503 `{"message":"Asterisk not booted"}`. @defaultValue 150 */
  notBootedMs?: number;
}

export type ResolvedRestartOptions = Readonly<Required<RestartOptions>>;

export const RESTART_DEFAULTS = {
  refusingChannelsMs: 100,
  shuttingDownMsWithCalls: 1000,
  downMs: 400,
  notRegisteredMs: 50,
  notBootedMs: 150,
} as const;

/** `restart(300)` keeps its old meaning (port closed 300 ms); an object sets any phase. */
export function resolveRestartOptions(input: number | RestartOptions | undefined, hadLiveCalls: boolean): ResolvedRestartOptions {
  const given: RestartOptions = typeof input === 'number' ? { downMs: input } : (input ?? {});
  const resolved: Required<RestartOptions> = {
    refusingChannelsMs: given.refusingChannelsMs ?? RESTART_DEFAULTS.refusingChannelsMs,
    shuttingDownMs: given.shuttingDownMs ?? (hadLiveCalls ? RESTART_DEFAULTS.shuttingDownMsWithCalls : 0),
    downMs: given.downMs ?? RESTART_DEFAULTS.downMs,
    notRegisteredMs: given.notRegisteredMs ?? RESTART_DEFAULTS.notRegisteredMs,
    notBootedMs: given.notBootedMs ?? RESTART_DEFAULTS.notBootedMs,
  };
  for (const [name, ms] of Object.entries(resolved)) {
    if (!(ms >= 0))
      throw new BadArgumentError(typeof input === 'number' ? 'restart(downMs)' : `restart(options.${name})`, 'must be >= 0 (Infinity holds the phase)');
  }
  return resolved;
}

/** What the sequence asks of the simulator at each step. */
export interface RestartHost {
  /** ast_softhangup_all: every live call is hung up, with events. */
  hangUpAllCalls(): void;
  /** The process goes: every connection reset, the listener closed, all state forgotten. */
  closeEverything(): Promise<void>;
  /** The new process binds the same port (it answers per `phase` until booted). */
  listenAgain(): Promise<void>;
  isStopped(): boolean;
}

/** The trace shows the socket closing ~8 ms after the last hangup event; reset sooner and the client may lose them. */
const SOCKETS_CLOSE_AFTER_HANGUPS_MS = 10;

/** Runs one restart through its phases; `phase` tells the server how to answer meanwhile. */
export class RestartSequence {
  private current: RestartPhase | undefined;
  private endWait: (() => void) | undefined;

  constructor(private readonly host: RestartHost) {}

  get phase(): RestartPhase | undefined {
    return this.current;
  }

  async run(options: ResolvedRestartOptions): Promise<void> {
    try {
      await this.enter('refusingChannels', options.refusingChannelsMs);
      await this.enter('shuttingDown', options.shuttingDownMs);
      if (this.host.isStopped()) return;
      this.host.hangUpAllCalls();
      await this.sleep(SOCKETS_CLOSE_AFTER_HANGUPS_MS);
      this.current = 'down';
      await this.host.closeEverything();
      await this.hold(options.downMs);
      if (this.host.isStopped()) return;
      this.current = 'notRegistered';
      await this.host.listenAgain();
      await this.hold(options.notRegisteredMs);
      await this.enter('notBooted', options.notBootedMs);
    } finally {
      this.current = undefined;
    }
  }

  /** Ends the phase being held (or waited out) now; the sequence goes on. */
  release(): void {
    this.endWait?.();
  }

  private async enter(phase: RestartPhase, ms: number): Promise<void> {
    if (this.host.isStopped()) return;
    this.current = phase;
    await this.hold(ms);
  }

  private hold(ms: number): Promise<void> {
    if (ms <= 0 || this.host.isStopped()) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        if (this.endWait === done) this.endWait = undefined;
        resolve();
      };
      const timer = Number.isFinite(ms) ? setTimeout(done, ms) : undefined;
      this.endWait = done;
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }
}
