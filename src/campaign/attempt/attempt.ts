import { channelIdFor } from '../../dialer/channel-id.js';
import type { Logger } from '../../log.js';
import type { CampaignMeta, CampaignState, InflightCall } from '../../store/campaign-store.js';
import type { Admission } from '../health/circuit-breaker.js';
import type { DialJobData } from '../job-data.js';
import type { Trunk } from '../pacing/trunk.js';
import type { CampaignSettings } from '../../policy/campaign-settings.js';

export interface AttemptOptions {
  data: DialJobData;
  /** The campaign as the worker's cache has it when the job starts. */
  meta: CampaignMeta;
  /** The in-flight mark of this attempt found when the job started: a run that died left it. */
  markFound?: InflightCall;
  jobId?: string;
  log: Logger;
  /** Aborted when the worker must hang up what is still in flight (shutdown grace over). */
  hangupAll: AbortSignal;
  /** Aborted when the worker stops (SIGTERM): attempts still waiting for a slot must not dial. */
  stopDialing?: AbortSignal;
  now?: () => number;
}

/**
 * One run of one attempt as it goes through the gates: what the job brought, what the gates learned on the way
 * (endpoint, trunk, a previous run's mark, the breaker's admission), and what must be undone or released when it
 * leaves. Gates write only the field their name says.
 */
export class Attempt {
  readonly data: DialJobData;
  readonly settings: CampaignSettings;
  /** The campaign's state when the job started (gates that wait re-read it). */
  readonly state: CampaignState;
  /** OUR attempt's channel id: the same on every run of this attempt, so a re-run finds its call. */
  readonly channelId: string;
  readonly log: Logger;
  readonly now: () => number;
  readonly hangupAll: AbortSignal;
  readonly stopDialing: AbortSignal | undefined;
  /** The endpoint dialed, rendered from the settings' template (endpointGate). */
  endpoint = '';
  /** The carrier trunk the endpoint goes through, when one is configured (endpointGate). */
  trunk: Trunk | undefined;
  /** The in-flight mark a previous run left, as the job found it when it started (read with its stored result). */
  readonly markFound: InflightCall | undefined;
  /** A previous run's in-flight mark: this run follows that run's channel instead of dialing (reRunGate). */
  previous: InflightCall | undefined;
  /** The breaker's word right before the originate: `trial` when this call probes a breaker half open (admissionGate). */
  admission: Admission = 'go';

  private readonly exits: Array<() => void | Promise<void>> = [];
  private undos: Array<() => Promise<void>> = [];
  private waits: AbortSignal | undefined;

  constructor(o: AttemptOptions) {
    this.data = o.data;
    this.settings = o.meta.settings;
    this.state = o.meta.state;
    this.markFound = o.markFound;
    this.channelId = channelIdFor({ campaignId: o.data.campaignId, contactKey: o.data.number, attempt: o.data.attempt });
    this.log = o.log.child({ campaignId: o.data.campaignId, jobId: o.jobId, channelId: this.channelId });
    this.now = o.now ?? Date.now;
    this.hangupAll = o.hangupAll;
    this.stopDialing = o.stopDialing;
  }

  get campaignId(): string {
    return this.data.campaignId;
  }

  /** This run dials (no previous run's channel to follow). */
  get dialing(): boolean {
    return this.previous === undefined;
  }

  /**
   * Ends the waits for a channel or a slot: when the worker stops dialing, or at the campaign's end (a slot past it
   * would only be given up). One timer per attempt, removed when it leaves.
   */
  get waitsEnd(): AbortSignal {
    if (!this.waits) {
      const endAt = this.settings.endAt;
      const w = stopAtEnd(this.stopDialing ?? this.hangupAll, endAt ? Date.parse(endAt) - this.now() : undefined);
      this.onExit(w.dispose);
      this.waits = w.signal;
    }
    return this.waits;
  }

  /** Runs when the attempt leaves, whatever happened (latest first): releases what a gate took. */
  onExit(fn: () => void | Promise<void>): void {
    this.exits.push(fn);
  }

  /** Runs if the attempt stops before its call is recorded (goes back to the queue or ends): undoes a gate's mark. */
  onStop(fn: () => Promise<void>): void {
    this.undos.push(fn);
  }

  /** Undoes what gates marked (once). */
  async undo(): Promise<void> {
    const undos = this.undos;
    this.undos = [];
    for (const fn of undos) await fn();
  }

  /** Releases what gates took, latest first. */
  async exit(): Promise<void> {
    while (this.exits.length) await this.exits.pop()!();
  }
}

/** Longest delay setTimeout keeps (about 24.8 days); a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A signal that aborts with `base` or `ms` from now (when given and within a timer's reach). One timer and one
 * listener per call, both removed by `dispose`: `base` lives as long as the worker.
 */
function stopAtEnd(base: AbortSignal, ms: number | undefined): { signal: AbortSignal; dispose: () => void } {
  if (ms === undefined || ms > MAX_TIMER_MS) return { signal: base, dispose: () => undefined };
  const ctl = new AbortController();
  const onAbort = () => ctl.abort();
  const timer = setTimeout(onAbort, Math.max(0, ms));
  base.addEventListener('abort', onAbort, { once: true });
  if (base.aborted) ctl.abort();
  return {
    signal: ctl.signal,
    dispose: () => {
      clearTimeout(timer);
      base.removeEventListener('abort', onAbort);
    },
  };
}
