import type { AriClient } from '../../ari/client.js';
import { silentLogger, type Logger } from '../../log.js';
import type { AsteriskHealth } from './asterisk-health.js';
import type { AttemptVerdict } from './attempt-verdict.js';
import { CircuitBreaker, type Admission, type BreakerState, type BreakerTrip } from './circuit-breaker.js';
import type { CircuitBreakerOptions } from './circuit-breaker-options.js';

export interface CampaignBreakersOptions {
  ari: AriClient;
  health: AsteriskHealth;
  breaker?: CircuitBreakerOptions;
  logger?: Logger;
  /** A campaign's breaker changed state (the worker stops or resumes taking its jobs; metrics). */
  onChange?: (change: { campaignId: string; state: BreakerState; trip?: BreakerTrip }) => void;
  /** The failure persists with Asterisk answering: pause the campaign, with this reason, for an operator. */
  onPause: (campaignId: string, reason: string) => Promise<void>;
}

/**
 * This worker's circuit breakers, one per campaign, and their probes. An open breaker holds the campaign's
 * attempts back (they go back to the queue untouched); after a backoff Asterisk is probed: down means a restart
 * (wait for it, not the trunk's fault), up lets one trial attempt through. Trips in a row with Asterisk up mean a
 * dead trunk or a mistyped endpoint: the campaign is paused with the reason.
 */
export class CampaignBreakers {
  private readonly log: Logger;
  private readonly breakers = new Map<string, CircuitBreaker>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly opts: CampaignBreakersOptions) {
    this.log = opts.logger ?? silentLogger;
  }

  state(campaignId: string): BreakerState {
    return this.breakers.get(campaignId)?.state ?? 'closed';
  }

  /** Every campaign's breaker that is not closed, for status and metrics. */
  states(): Array<{ campaignId: string; state: BreakerState; reason: string; trips: number }> {
    return [...this.breakers]
      .filter(([, b]) => b.state !== 'closed')
      .map(([campaignId, b]) => ({ campaignId, state: b.state, reason: b.reason, trips: b.tripsInARow }));
  }

  admit(campaignId: string): Admission {
    return this.breaker(campaignId).admit();
  }

  unadmit(campaignId: string): void {
    this.breakers.get(campaignId)?.unadmit();
  }

  /** How long an attempt held back by the breaker should wait before it is looked at again. */
  retryInMs(campaignId: string, now: number = Date.now()): number {
    const b = this.breakers.get(campaignId);
    return b && b.state === 'open' ? Math.max(500, b.nextProbeAt - now) : 500;
  }

  /**
   * One attempt's verdict. `endpoint` names where it went, for the pause reason; `placedAt` when it went out.
   * Returns `held` for a failure on our side that ended after the breaker had opened (placed before it did): the
   * breaker already knows, so that attempt should not cost its number anything.
   */
  record(campaignId: string, v: AttemptVerdict, trial: boolean, endpoint: string, placedAt: number = Date.now()): 'held' | undefined {
    const b = this.breaker(campaignId);
    const before = b.state;
    if (before !== 'closed' && !trial && v.kind === 'ours') {
      b.record(v, Date.now(), trial, placedAt);
      return 'held';
    }
    const trip = b.record(v, Date.now(), trial, placedAt);
    if (trip) {
      this.log.warn(
        { campaignId, run: trip.run, trips: trip.trips, reason: trip.reason, endpoint },
        'circuit breaker open: holding the campaign’s attempts back',
      );
      this.opts.onChange?.({ campaignId, state: 'open', trip });
      if (trip.pause) {
        const what = v.networkCause ? 'calls in a row ended with a network cause' : 'originates in a row failed';
        void this.pause(campaignId, `${trip.run} ${what}: ${trip.reason} on ${endpoint}`);
      } else this.scheduleProbe(campaignId);
    } else if (before !== 'closed' && b.state === 'closed') {
      this.log.info({ campaignId }, 'circuit breaker closed: the campaign dials again');
      this.opts.onChange?.({ campaignId, state: 'closed' });
    }
    return undefined;
  }

  /** The campaign left this worker (finished, cancelled): forget its breaker. */
  forget(campaignId: string): void {
    clearTimeout(this.timers.get(campaignId));
    this.timers.delete(campaignId);
    this.breakers.delete(campaignId);
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private breaker(campaignId: string): CircuitBreaker {
    let b = this.breakers.get(campaignId);
    if (!b) this.breakers.set(campaignId, (b = new CircuitBreaker(this.opts.breaker)));
    return b;
  }

  private async pause(campaignId: string, reason: string): Promise<void> {
    this.log.error({ campaignId, reason }, 'campaign paused by its circuit breaker');
    try {
      await this.opts.onPause(campaignId, reason);
    } catch (err) {
      this.log.error({ campaignId, err: (err as Error).message }, 'could not pause the campaign; probing on');
      this.scheduleProbe(campaignId);
      return;
    }
    // Paused for everyone; a resume starts with a closed breaker.
    this.breakers.get(campaignId)?.reset();
    this.opts.onChange?.({ campaignId, state: 'closed' });
  }

  private scheduleProbe(campaignId: string): void {
    const b = this.breakers.get(campaignId);
    if (this.closed || !b || b.state !== 'open') return;
    clearTimeout(this.timers.get(campaignId));
    const t = setTimeout(() => void this.probe(campaignId), Math.max(0, b.nextProbeAt - Date.now()));
    t.unref();
    this.timers.set(campaignId, t);
  }

  private async probe(campaignId: string): Promise<void> {
    const b = this.breakers.get(campaignId);
    if (this.closed || !b || b.state !== 'open') return;
    let up = this.opts.health.up;
    if (up) {
      try {
        await this.opts.ari.asteriskInfo();
      } catch (err) {
        up = false;
        this.opts.health.reportDown((err as Error).message);
      }
    }
    b.probed(up, Date.now());
    if ((b.state as BreakerState) === 'half-open') {
      this.log.info({ campaignId }, 'circuit breaker half-open: one trial attempt');
      this.opts.onChange?.({ campaignId, state: 'half-open' });
    } else this.scheduleProbe(campaignId);
  }
}
