import { Worker, type Job } from 'bullmq';
import type { RedisClient } from '../src/store/lua-script.js';
import { dialContact, type DialJobDeps } from './dial-contact.js';
import type { WebhookJobData } from '../src/campaign/webhook-events.js';
import { reportResult } from './report-result.js';
import { channelIdFor } from '../src/dialer/channel-id.js';
import type { Logger } from '../src/log.js';
import type { CampaignMeta } from '../src/store/campaign-store.js';
import type { CampaignService } from '../src/campaign/campaign-service.js';
import type { DrainTracker } from '../src/campaign/drain/drain-tracker.js';

/** What a campaign's BullMQ workers need from the process that runs them. */
export interface CampaignQueueWorkersOptions {
  service: CampaignService;
  /** The worker's Redis connection (BullMQ duplicates it for its blocking reads). */
  connection: RedisClient;
  /** What every dial job of this process shares; the campaign's own retry queue is added here. */
  job: Omit<DialJobDeps, 'enqueueRetry'>;
  /** @defaultValue 30000 (see CampaignWorkerOptions.lockDurationMs) */
  lockDurationMs?: number;
  /** @defaultValue 15000 */
  stalledIntervalMs?: number;
  log: Logger;
  /** Counts the jobs running here, for a drain. @defaultValue none */
  tracker?: DrainTracker;
}

/**
 * The BullMQ workers that serve one campaign in this process: its dial queue (at most its maxConcurrent, within this
 * worker's channel cap) and, when it has a webhook, its webhook queue. The first is always the dial worker.
 */
export function startCampaignQueueWorkers(meta: CampaignMeta, o: CampaignQueueWorkersOptions): Worker[] {
  const { id, settings } = meta;
  const track = <R>(kind: 'dial' | 'webhook', processor: (job: Job) => Promise<R>) => (o.tracker ? o.tracker[kind](processor) : processor);
  const connection = o.connection;
  const prefix = o.service.keys.bullPrefixFor(id);
  const dial = new Worker(
    o.service.keys.dialQueue(id),
    track(
      'dial',
      dialContact({
        ...o.job,
        enqueueRetry: async (data, jobId, delayMs) => {
          await o.service.dialQueue(id).add('dial', data, { jobId, delay: delayMs });
        },
      }),
    ),
    {
      connection,
      prefix,
      concurrency: Math.min(settings.maxConcurrent, o.job.channelCap.permits),
      // Calls outlive BullMQ's default lock; the worker renews it while the call runs.
      lockDuration: o.lockDurationMs ?? 30_000,
      stalledInterval: o.stalledIntervalMs ?? 15_000,
      maxStalledCount: 3,
      // Every attempt's result is in the campaign store: a finished job only shows in the queue view. Removed at
      // once, BullMQ's finish is one DEL instead of a ZADD, the return value written, and the oldest kept job's
      // removal (ZREVRANGE, ZREMRANGEBYRANK, its DELs): the costliest script of an attempt (scripts/bench).
      removeOnComplete: { count: 0 },
      removeOnFail: { count: 10_000 },
    },
  );
  dial.on('failed', (job, err) => {
    const d = job?.data as { number?: unknown; attempt?: unknown } | undefined;
    const channelId =
      typeof d?.number === 'string' && typeof d.attempt === 'number' ? channelIdFor({ campaignId: id, contactKey: d.number, attempt: d.attempt }) : undefined;
    o.log.error({ campaignId: id, jobId: job?.id, channelId, err: err.message }, 'dial job failed');
  });
  dial.on('error', (err) => o.log.warn({ campaignId: id, err: err.message }, 'dial worker error'));
  const workers: Worker[] = [dial];
  if (settings.webhook) {
    const hook = new Worker<WebhookJobData>(o.service.keys.webhookQueue(id), track('webhook', reportResult({ log: o.log, guard: o.service.webhookGuard })), {
      connection,
      prefix,
      concurrency: 4,
    });
    hook.on('completed', (job) => {
      if (job.data.record) void o.service.store.incrCounter(id, 'webhookDelivered');
    });
    hook.on('failed', (job, err) => {
      const channelId = job?.data.record?.channel_id;
      // A refused destination is unrecoverable: failed at once, counted and logged with the rule it broke.
      if (job && (err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1))) {
        o.log.error({ campaignId: id, webhookJobId: job.id, channelId, attempts: job.attemptsMade, err: err.message }, 'webhook delivery gave up');
        void o.service.store.incrCounter(id, 'webhookFailed');
      } else {
        o.log.warn({ campaignId: id, webhookJobId: job?.id, channelId, err: err.message }, 'webhook delivery failed; will retry');
      }
    });
    hook.on('error', (err) => o.log.warn({ campaignId: id, err: err.message }, 'webhook worker error'));
    workers.push(hook);
  }
  return workers;
}
