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
 * The board's page: our own files only, like the rest of the dashboard. Its loading screen has inline styles (and its
 * config a JSON data block, which is never run), so styles may be inline; scripts may not.
 */
export const BOARD_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'";

type Board = ReturnType<typeof createBullBoard>;

/**
 * bull-board (the generic queue view: counts, failed jobs with their reason, retry) over every campaign's dial
 * queue and, when the campaign has a webhook, its webhook queue. We keep only the list of queues in step.
 * Two boards over the same queues: the operators' and a read-only one for viewers, whose queues bull-board shows
 * without Retry, Clean, Promote or Remove (and whose API refuses them; operatorForMutations refuses them first).
 */
export class QueuesBoard {
  private readonly operator: { board: Board; router: Router };
  private readonly viewer: { board: Board; router: Router };
  private readonly shown = new Set<string>();
  private lastSync = 0;
  private syncing: Promise<void> | undefined;

  constructor(
    private readonly service: CampaignService,
    private readonly log: Logger,
  ) {
    this.operator = newBoard('ari-dialer queues');
    this.viewer = newBoard('ari-dialer queues (read-only)');
  }

  /** The operators' board, or the read-only one, by the role authentication found. */
  get router(): RequestHandler {
    return (req, res, next) => (res.locals.role === 'operator' ? this.operator : this.viewer).router(req, res, next);
  }

  /**
   * bull-board's page links Google Fonts: a request to a third party from an operator's browser, which fails offline
   * (and then waits). Its HTML is rendered by the adapter and sent whole, so the link is cut from it on the way out;
   * the page falls back to system fonts.
   */
  static noExternalFonts(): RequestHandler {
    return (_req, res, next) => {
      const send = res.send.bind(res);
      res.send = (body?: unknown) => {
        if (typeof body !== 'string') return send(body);
        res.setHeader('Content-Security-Policy', BOARD_CSP);
        return send(body.replace(EXTERNAL_FONTS, ''));
      };
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
        this.operator.board.removeQueue(name);
        this.viewer.board.removeQueue(name);
        this.shown.delete(name);
      }
    }
    for (const id of ids) {
      for (const [name, queue] of [
        [this.service.keys.dialQueue(id), () => this.service.dialQueue(id)],
        [this.service.keys.webhookQueue(id), () => this.service.webhookQueue(id)],
      ] as const) {
        if (!want.has(name) || this.shown.has(name)) continue;
        this.operator.board.addQueue(new BullMQAdapter(queue(), { description: `campaign ${id}` }));
        this.viewer.board.addQueue(new BullMQAdapter(queue(), { description: `campaign ${id}`, readOnlyMode: true }));
        this.shown.add(name);
      }
    }
  }
}

function newBoard(boardTitle: string): { board: Board; router: Router } {
  const adapter = new ExpressAdapter();
  adapter.setBasePath(QUEUES_PATH);
  // @bull-board/express pins its own copy of @bull-board/api (9.10.1 vs our 9.10.2); the adapter contract is the
  // same, only TypeScript sees two declarations of it.
  const serverAdapter = adapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'];
  const board = createBullBoard({ queues: [], serverAdapter, options: { uiConfig: { boardTitle } } });
  return { board, router: adapter.getRouter() as Router };
}
