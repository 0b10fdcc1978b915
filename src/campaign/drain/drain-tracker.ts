import type { Job } from 'bullmq';
import type { CallResult } from '../../dialer/call-result.js';
import { channelIdFor } from '../../dialer/channel-id.js';

type Processor<R> = (job: Job, token?: string, signal?: AbortSignal) => Promise<R>;

/**
 * What a worker has in hand, for its drain: the dial jobs and webhook deliveries running in this process, and the
 * calls that ended but whose job has not finished (their result is being stored, or cannot be: Redis unreachable).
 */
export class DrainTracker {
  /** Dial jobs running → their channel id. */
  private readonly dialJobs = new Map<Job, string | undefined>();
  private readonly channels = new Set<string>();
  /** Calls originated by running jobs (from the originate until the job is done). */
  private readonly placed = new Set<string>();
  /** Channel id → the call's result, from the moment the call ends until its job is done. */
  private readonly ended = new Map<string, CallResult>();
  private webhookJobs = 0;
  private readonly waiters = new Set<() => void>();
  private draining = false;
  private unknownCount = 0;

  /** Wraps a dial job processor so its runs are counted. */
  dial<R>(processor: Processor<R>): Processor<R> {
    return async (job, token, signal) => {
      const channelId = channelOf(job);
      this.dialJobs.set(job, channelId);
      if (channelId) this.channels.add(channelId);
      try {
        return await processor(job, token, signal);
      } finally {
        this.dialJobs.delete(job);
        if (channelId) {
          this.channels.delete(channelId);
          this.placed.delete(channelId);
          this.ended.delete(channelId);
        }
        this.wake();
      }
    };
  }

  /** Wraps a webhook delivery processor so its runs are counted. */
  webhook<R>(processor: Processor<R>): Processor<R> {
    return async (job, token, signal) => {
      this.webhookJobs++;
      try {
        return await processor(job, token, signal);
      } finally {
        this.webhookJobs--;
        this.wake();
      }
    };
  }

  /** A call of this process was originated (the call observer's `originated`). */
  callPlaced(channelId: string): void {
    if (this.channels.has(channelId)) this.placed.add(channelId);
  }

  /** A call of this process ended (the call observer's `ended`): its result is known, its job not yet done. */
  callEnded(result: CallResult): void {
    if (this.channels.has(result.channel_id)) this.ended.set(result.channel_id, result);
    if (this.draining && result.disposition === 'UNKNOWN') this.unknownCount++;
    this.wake();
  }

  /** From now on, calls that end UNKNOWN are counted (they could not be hung up or followed). */
  startDraining(): void {
    this.draining = true;
  }

  /** Dial jobs running: a call in flight, a call's result being stored, or a job waiting for its originate slot. */
  get jobs(): number {
    return this.dialJobs.size;
  }

  /** Calls originated here and not ended yet. */
  get calls(): number {
    let n = 0;
    for (const c of this.placed) if (!this.ended.has(c)) n++;
    return n;
  }

  get webhooks(): number {
    return this.webhookJobs;
  }

  /** Calls that ended whose job has not finished: results not stored yet. */
  get resultsWaiting(): CallResult[] {
    return [...this.ended.values()];
  }

  /** Calls that ended UNKNOWN since the drain began. */
  get unknown(): number {
    return this.unknownCount;
  }

  /** Resolves once no dial job and no webhook delivery runs here. */
  idle(): Promise<void> {
    return this.until(() => this.jobs + this.webhooks === 0);
  }

  /** Resolves once every call originated here has ended (their results may still be on their way to Redis). */
  callsEnded(): Promise<void> {
    return this.until(() => this.calls === 0);
  }

  private until(done: () => boolean): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (!done()) return;
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
    });
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}

/** The job's channel id, as dial-contact derives it; undefined for data that is not a dial job's. */
function channelOf(job: Job): string | undefined {
  const d = job.data as { campaignId?: unknown; number?: unknown; attempt?: unknown } | undefined;
  if (typeof d?.campaignId !== 'string' || typeof d.number !== 'string' || typeof d.attempt !== 'number') return undefined;
  try {
    return channelIdFor({ campaignId: d.campaignId, contactKey: d.number, attempt: d.attempt });
  } catch {
    return undefined;
  }
}
