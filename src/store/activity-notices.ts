/** How often one process tells about one campaign's calls at most. The dashboard refreshes a page at most this often too. */
export const ACTIVITY_EVERY_MS = 500;

/**
 * Per-call news (a call started, an attempt ended) coalesced per campaign: the first note of a campaign publishes
 * at the end of the interval, every note meanwhile joins it. Only the live dashboard reads these, to know which
 * campaign changed; it refreshes that page once per interval anyway, so one message per campaign per interval says
 * all it needs, where one per call cost a PUBLISH (fanned out to every subscriber, on a cluster to every node) each.
 */
export class ActivityNotices {
  private readonly pending = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly publish: (event: { type: 'activity'; id: string; calls: number }) => Promise<void>,
    private readonly everyMs = ACTIVITY_EVERY_MS,
  ) {}

  note(campaignId: string): void {
    this.pending.set(campaignId, (this.pending.get(campaignId) ?? 0) + 1);
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), this.everyMs);
    // Never what keeps a process alive: a lost notice only delays a page by its idle refresh.
    this.timer.unref();
  }

  private flush(): void {
    this.timer = undefined;
    const batch = [...this.pending];
    this.pending.clear();
    for (const [id, calls] of batch) void this.publish({ type: 'activity', id, calls }).catch(() => undefined);
  }
}
