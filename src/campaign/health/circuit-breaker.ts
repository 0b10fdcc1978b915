import type { AttemptVerdict } from './attempt-verdict.js';
import { resolveBreakerOptions, type CircuitBreakerOptions, type ResolvedBreakerOptions } from './circuit-breaker-options.js';

export type BreakerState = 'closed' | 'open' | 'half-open';
export type Admission = 'go' | 'trial' | 'no';

/** What `record` did when the breaker opened. */
export interface BreakerTrip {
  /** Failures on our side in the run that opened it. */
  run: number;
  /** The last failure, in an operator's words. */
  reason: string;
  /** Trips in a row without a callee's answer in between (1 on the first). */
  trips: number;
  /** Enough trips in a row with Asterisk answering: time to pause the campaign. */
  pause: boolean;
}

/** Below this many placed calls a campaign has no mix of its own yet: the plain threshold applies. */
const MIN_MIX_SAMPLES = 50;
/** A run of network causes trips when a campaign's own mix would produce it by chance less than once in this many. */
const CHANCE = 1e-3;

/**
 * One campaign's breaker in one worker. Pure: no timers, no I/O, the clock is passed in, so every transition is
 * tested directly. Closed: attempts go out. Open: none do; after a backoff the caller probes Asterisk. Half-open:
 * one trial attempt goes out; a callee's answer closes the breaker, another failure opens it again.
 */
export class CircuitBreaker {
  readonly options: ResolvedBreakerOptions;
  private st: BreakerState = 'closed';
  private run = 0;
  private runNetwork = 0;
  private trips = 0;
  private lastReason = '';
  private trialOut = false;
  private probeAt = 0;
  /** Recent placed calls: true where the cause meant the network. A ring buffer. */
  private readonly mix: boolean[] = [];
  private mixNext = 0;
  private mixNetwork = 0;
  /** The mix's network share when the current run began (the run itself must not raise its own bar). */
  private runBaseline = 0;

  constructor(options: CircuitBreakerOptions = {}) {
    this.options = resolveBreakerOptions(options);
  }

  get state(): BreakerState {
    return this.st;
  }

  /** The reason of the last failure on our side. */
  get reason(): string {
    return this.lastReason;
  }

  get tripsInARow(): number {
    return this.trips;
  }

  /**
   * Whether one attempt may go to Asterisk now: `go` when closed; in half-open exactly one `trial` is let through;
   * `no` otherwise. The caller passes `trial` back to {@link record} with that attempt's verdict.
   */
  admit(): Admission {
    if (this.st === 'closed') return 'go';
    if (this.st === 'open' || this.trialOut) return 'no';
    this.trialOut = true;
    return 'trial';
  }

  /** An admitted attempt went back to the queue without being sent: in half-open the trial is free again. */
  unadmit(): void {
    if (this.st === 'half-open') this.trialOut = false;
  }

  /** When the next probe of Asterisk is due (open only). */
  get nextProbeAt(): number {
    return this.probeAt;
  }

  /** The probe's answer: Asterisk up lets a trial through; down keeps it open (a restart is not the trunk's fault). */
  probed(asteriskUp: boolean, now: number): void {
    if (this.st !== 'open') return;
    if (asteriskUp) {
      this.st = 'half-open';
      this.trialOut = false;
    } else {
      this.probeAt = now + this.backoffMs();
    }
  }

  /**
   * Feeds one attempt's verdict (`trial`: it was the half-open trial). Returns the trip when this verdict opened the
   * breaker. While half-open only the trial's failure counts: calls placed before the breaker opened say nothing new.
   */
  record(v: AttemptVerdict, now: number, trial = false): BreakerTrip | undefined {
    if (v.kind === 'callee' || (v.kind === 'ours' && v.networkCause)) this.addToMix(v.kind === 'ours');
    if (this.st === 'half-open' && !trial && v.kind !== 'callee') return undefined;
    switch (v.kind) {
      case 'callee':
        this.st = 'closed';
        this.run = 0;
        this.runNetwork = 0;
        this.trips = 0;
        this.trialOut = false;
        return undefined;
      case 'ours':
        return this.failure(v, now);
      case 'asterisk-down':
      case 'neutral':
        // Says nothing about the trunk: a trial that ended so is taken again.
        if (this.st === 'half-open') this.trialOut = false;
        return undefined;
    }
  }

  private failure(v: AttemptVerdict, now: number): BreakerTrip | undefined {
    if (this.run === 0) this.runBaseline = this.networkShare();
    this.run += 1;
    if (v.networkCause) this.runNetwork += 1;
    this.lastReason = v.reason ?? 'failed';
    if (this.st === 'open') return undefined; // calls already in flight when it opened
    if (this.st === 'closed' && this.run < this.required()) return undefined;
    this.st = 'open';
    this.trialOut = false;
    this.trips += 1;
    this.probeAt = now + this.backoffMs();
    return { run: this.run, reason: this.lastReason, trips: this.trips, pause: this.trips >= this.options.pauseAfterTrips };
  }

  /** Forget everything (after the campaign was paused, a resume starts afresh). */
  reset(): void {
    this.st = 'closed';
    this.run = 0;
    this.runNetwork = 0;
    this.trips = 0;
    this.trialOut = false;
  }

  /** Run length that opens the breaker: the threshold, longer for network causes where the campaign often sees them. */
  private required(): number {
    const { threshold } = this.options;
    if (this.runNetwork === 0 || this.runBaseline <= 0) return threshold;
    if (this.runBaseline >= 1) return threshold * 10;
    const byChance = Math.ceil(Math.log(CHANCE) / Math.log(this.runBaseline));
    return Math.min(threshold * 10, Math.max(threshold, byChance));
  }

  private networkShare(): number {
    return this.mix.length < MIN_MIX_SAMPLES ? 0 : this.mixNetwork / this.mix.length;
  }

  private addToMix(network: boolean): void {
    const size = this.options.mixWindow;
    if (this.mix.length < size) this.mix.push(network);
    else {
      if (this.mix[this.mixNext]) this.mixNetwork -= 1;
      this.mix[this.mixNext] = network;
      this.mixNext = (this.mixNext + 1) % size;
    }
    if (network) this.mixNetwork += 1;
  }

  private backoffMs(): number {
    const { probeDelayMs, maxProbeDelayMs } = this.options;
    return Math.min(maxProbeDelayMs, probeDelayMs * 2 ** Math.max(0, this.trips - 1));
  }
}
