import type { CampaignService, QueueCounts } from '../campaign/campaign-service.js';

/** What the metrics need from the campaign service (a narrow view, so tests can fake it). */
export type CampaignSource = Pick<CampaignService, 'queueCounts'> & {
  store: Pick<CampaignService['store'], 'ids' | 'get' | 'counters'>;
};

export interface CampaignSnapshot {
  id: string;
  queue: QueueCounts;
  webhookDelivered: number;
  webhookFailed: number;
}

/** A scrape must not hang on a Redis that is down (the worker's connection queues commands until it is back). */
const SCRAPE_TIMEOUT_MS = 2000;

/** Finished campaigns stay in the figures this long, so late webhook deliveries are still counted. */
const FINISHED_KEPT_MS = 60 * 60 * 1000;

/**
 * Per-campaign figures read from Redis for a scrape, shared by the metrics that need them and cached briefly, so a
 * burst of scrapes (or several metrics in one scrape) costs one round of reads. Finished campaigns are left out.
 */
export class CampaignSnapshots {
  private last: { at: number; value: Promise<CampaignSnapshot[]> } | undefined;

  constructor(
    private readonly source: CampaignSource,
    private readonly cacheMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(): Promise<CampaignSnapshot[]> {
    const t = this.now();
    if (this.last && t - this.last.at < this.cacheMs) return this.last.value;
    const value = withTimeout(this.read(), SCRAPE_TIMEOUT_MS).catch(() => []);
    this.last = { at: t, value };
    return value;
  }

  private async read(): Promise<CampaignSnapshot[]> {
    const ids = await this.source.store.ids();
    const out = await Promise.all(
      ids.map(async (id): Promise<CampaignSnapshot | undefined> => {
        const meta = await this.source.store.get(id);
        if (!meta || (meta.state === 'finished' && this.now() - (Date.parse(meta.finishedAt ?? '') || 0) > FINISHED_KEPT_MS)) return undefined;
        const [queue, counters] = await Promise.all([this.source.queueCounts(id), this.source.store.counters(id)]);
        return { id, queue, webhookDelivered: counters.webhookDelivered, webhookFailed: counters.webhookFailed };
      }),
    );
    return out.filter((c): c is CampaignSnapshot => c !== undefined);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
