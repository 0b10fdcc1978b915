import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { RequestHandler, Router } from 'express';
import type { CampaignService } from '../campaign/campaign-service.js';
import type { Logger } from '../log.js';

export const QUEUES_PATH = '/queues';
/** Campaigns come and go; the board's queue list is brought up to date at most this often. */
const SYNC_EVERY_MS = 1000;
const EXTERNAL_FONTS = /<link[^>]+href="https:\/\/fonts\.(?:googleapis|gstatic)\.com[^>]*>/g;

/**
 * bull-board (the generic queue view: counts, failed jobs with their reason, retry) over every campaign's dial
 * queue and, when the campaign has a webhook, its webhook queue. We keep only the list of queues in step.
 */
export class QueuesBoard {
  readonly router: Router;
  private readonly board: ReturnType<typeof createBullBoard>;
  private readonly shown = new Set<string>();
  private lastSync = 0;
  private syncing: Promise<void> | undefined;

  constructor(
    private readonly service: CampaignService,
    private readonly log: Logger,
  ) {
    const adapter = new ExpressAdapter();
    adapter.setBasePath(QUEUES_PATH);
    // @bull-board/express pins its own copy of @bull-board/api (9.10.1 vs our 9.10.2); the adapter contract is the
    // same, only TypeScript sees two declarations of it.
    const serverAdapter = adapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'];
    this.board = createBullBoard({ queues: [], serverAdapter, options: { uiConfig: { boardTitle: 'ari-dialer queues' } } });
    this.router = adapter.getRouter() as Router;
  }

  /**
   * bull-board's page links Google Fonts: a request to a third party from an operator's browser, which fails offline
   * (and then waits). Its HTML is rendered by the adapter and sent whole, so the link is cut from it on the way out;
   * the page falls back to system fonts.
   */
  static noExternalFonts(): RequestHandler {
    return (_req, res, next) => {
      const send = res.send.bind(res);
      res.send = (body?: unknown) => send(typeof body === 'string' ? body.replace(EXTERNAL_FONTS, '') : body);
      next();
    };
  }

  /** Runs before bull-board so a campaign created a second ago is already listed. */
  syncMiddleware(): RequestHandler {
    return async (_req, _res, next) => {
      if (Date.now() - this.lastSync >= SYNC_EVERY_MS) {
        this.syncing ??= this.sync().finally(() => (this.syncing = undefined));
        await this.syncing.catch((err: Error) => this.log.warn({ err: err.message }, 'queues board: sync failed'));
      }
      next();
    };
  }

  async sync(): Promise<void> {
    this.lastSync = Date.now();
    const ids = await this.service.store.ids();
    const want = new Set<string>();
    for (const id of ids) {
      want.add(this.service.keys.dialQueue(id));
      if (!this.shown.has(this.service.keys.dialQueue(id))) {
        const meta = await this.service.store.get(id).catch(() => undefined);
        if (meta?.settings.webhook) want.add(this.service.keys.webhookQueue(id));
      } else if (this.shown.has(this.service.keys.webhookQueue(id))) want.add(this.service.keys.webhookQueue(id));
    }
    for (const name of this.shown) {
      if (!want.has(name)) {
        this.board.removeQueue(name);
        this.shown.delete(name);
      }
    }
    for (const id of ids) {
      for (const [name, queue] of [
        [this.service.keys.dialQueue(id), () => this.service.dialQueue(id)],
        [this.service.keys.webhookQueue(id), () => this.service.webhookQueue(id)],
      ] as const) {
        if (!want.has(name) || this.shown.has(name)) continue;
        this.board.addQueue(new BullMQAdapter(queue(), { description: `campaign ${id}` }));
        this.shown.add(name);
      }
    }
  }
}
