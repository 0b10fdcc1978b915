import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import compression from 'compression';
import express, { type NextFunction, type Request, type Response } from 'express';
import { connectSubscriber, duplicateSubscriber } from '../store/redis-connection.js';
import { silentLogger } from '../log.js';
import { apiRoutes } from './api-routes.js';
import { DashboardAudit } from './audit-routes.js';
import { openAuditLog } from '../store/audit/audit-log.js';
import { Auth, operatorForMutations, readCookie, sendThrottled } from './auth.js';
import { CampaignStats } from './campaign-stats.js';
import { resolveDashboardOptions, type DashboardOptions } from './dashboard-options.js';
import { HttpError, sendError, toHttpError } from './http-error.js';
import { LiveFeed } from './live-feed.js';
import { loginPage } from './login-page.js';
import { QUEUES_PATH, QueuesBoard } from './queues-board.js';
import { GuessThrottle } from './security/guess-throttle.js';
import { TokenSet } from './security/dashboard-tokens.js';
import { RequestGuard } from './security/request-guard.js';
import { RequestDrain, type RequestDrainReport } from './request-drain.js';
import { clearSessionCookie, SESSION_COOKIE, sessionCookie, Sessions } from './security/sessions.js';

export type { DashboardOptions } from './dashboard-options.js';

export interface Dashboard {
  url: string;
  port: number;
  /** HTTP requests being answered now, and how many of them are writes. */
  inFlight(): { requests: number; writes: number };
  /**
   * The start of a shutdown: live pages are closed, no new connection is taken, the requests under way get `graceMs`
   * (an upload being imported finishes), then the rest are cut. `close()` follows.
   */
  drain(graceMs: number): Promise<RequestDrainReport>;
  close(): Promise<void>;
}

const STATIC_DIR = fileURLToPath(new URL('./static/', import.meta.url));
const CHART_JS = join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.js');

/** Our own pages load only our own files: no inline script, no CDN, nothing to inject into. */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/**
 * The web dashboard: campaign pages and JSON API, a live feed over WebSocket, bull-board under /queues.
 * Listens on 127.0.0.1 unless told otherwise, and refuses a non-loopback address without an operator token.
 */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const o = resolveDashboardOptions(options, silentLogger);
  const log = o.logger.child({ component: 'dashboard' });
  const { service } = o;
  if (!existsSync(join(STATIC_DIR, 'index.html'))) throw new Error(`dashboard: static files missing at ${STATIC_DIR}`);
  const guard = new RequestGuard({ host: o.host, publicUrl: o.publicUrl, proxy: o.proxy });
  const tokens = new TokenSet(o.tokens);
  const sessions = tokens.size ? await Sessions.open({ redis: service.redis, keys: service.keys, tokens }) : undefined;
  const audit = new DashboardAudit(
    o.audit ?? openAuditLog({ redis: service.redis, keys: service.keys, history: service.history }),
    (req) => o.proxy.clientAddress(req),
    log,
  );
  const auth = new Auth({
    tokens,
    sessions,
    guard,
    proxy: o.proxy,
    log,
    throttle: new GuessThrottle(o.guessLimits),
    onFailure: (req, via) => audit.login(req, '-', false, via),
  });
  // Secure cookies when users come over HTTPS: the public URL says so, or the request (TLS, or a trusted proxy's X-Forwarded-Proto).
  const secure = (req: Request) => o.publicUrl?.startsWith('https:') === true || o.proxy.secure(req);
  const stats = new CampaignStats(service);
  const board = new QueuesBoard(service, log);

  const app = express();
  const requests = new RequestDrain();
  app.use(requests.middleware);
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', o.proxy.expressValue);
  // gzip or brotli for pages, scripts and JSON (chart.js: 210 KB → 61 KB); reports stream through it too.
  app.use(compression());
  app.use((_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    // same-origin, not no-referrer: with no-referrer browsers send `Origin: null` on our own POSTs.
    res.setHeader('Referrer-Policy', 'same-origin');
    res.setHeader('X-Frame-Options', 'DENY');
    next();
  });
  // Before anything reads the request: a name we do not serve is DNS rebinding (or a mistake), never us.
  app.use(guard.hostCheck());

  // Reachable without a token: the login form and the style sheet it uses.
  app.get('/login', (_req, res) => {
    if (auth.open) return res.redirect(303, '/');
    res.setHeader('Content-Security-Policy', CSP);
    res.type('html').send(loginPage());
  });
  app.post('/login', guard.writes('form'), express.urlencoded({ extended: false, limit: '4kb' }), async (req: Request, res: Response) => {
    const given = (req.body as { token?: unknown } | undefined)?.token;
    const token = typeof given === 'string' ? given.trim() : '';
    if (auth.open) return res.redirect(303, '/');
    const r = auth.checkToken(req, token, 'login');
    if (!r.ok && r.reason === 'throttled') return sendThrottled(res, r.retryAfterS, 'login');
    if (!r.ok) {
      await new Promise((r) => setTimeout(r, 200)); // slows guessing; tokens are long anyway
      res.status(401).setHeader('Content-Security-Policy', CSP);
      return res.type('html').send(loginPage('That token is not valid.'));
    }
    res.setHeader('Set-Cookie', sessionCookie(await sessions!.create(r.who), sessions!.ttlS, secure(req)));
    audit.login(req, r.who.name, true, 'login');
    res.redirect(303, '/');
  });
  app.post('/logout', guard.writes('form'), async (req, res) => {
    const cookie = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (cookie && sessions) await sessions.destroy(cookie);
    res.setHeader('Set-Cookie', clearSessionCookie(secure(req)));
    res.redirect(303, auth.open ? '/' : '/login');
  });
  app.get('/app.css', (_req, res) => res.sendFile(join(STATIC_DIR, 'app.css')));
  app.get('/favicon.ico', (_req, res) => res.status(204).end());

  app.use('/api', guard.writes('api'));
  app.use(QUEUES_PATH, guard.writes('board'));
  app.use(auth.authenticate());
  const page = (file: string) => (_req: Request, res: Response) => {
    res.setHeader('Content-Security-Policy', CSP);
    res.setHeader('Cache-Control', 'no-store');
    res.sendFile(join(STATIC_DIR, file));
  };
  app.get('/', page('index.html'));
  app.get('/app.js', (_req, res) => res.sendFile(join(STATIC_DIR, 'app.js')));
  app.use('/js', express.static(join(STATIC_DIR, 'js'), { index: false, redirect: false }));
  app.get('/vendor/chart.umd.js', (_req, res) => res.sendFile(CHART_JS, { maxAge: '1d' }));
  app.use('/api', apiRoutes({ service, stats, maxUploadBytes: o.maxUploadBytes, open: auth.open, history: o.history, recordings: o.recordings, audit, log }));
  app.use(QUEUES_PATH, operatorForMutations(), board.syncMiddleware(), QueuesBoard.noExternalFonts(), board.router);

  app.use((_req, _res) => {
    throw new HttpError('NOT_FOUND', 'not found');
  });
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = toHttpError(err);
    if (e.status >= 500) log.error({ err, method: req.method, path: req.path }, 'dashboard request failed');
    // The client may still be sending a body we will not read: close rather than drain it.
    if (e.code === 'PAYLOAD_TOO_LARGE') res.setHeader('Connection', 'close');
    sendError(res, e);
  });

  const server = createServer(app);
  const subscriber = o.redisUrl ? connectSubscriber(o.redisUrl) : duplicateSubscriber(service.redis);
  const feed = new LiveFeed({ server, auth, service, stats, subscriber, intervalMs: o.liveIntervalMs, log });
  try {
    await feed.start();
    await listen(server, o.port, o.host);
  } catch (err) {
    await feed.close().catch(() => undefined);
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  const host = o.host.includes(':') ? `[${o.host}]` : o.host;
  const url = `http://${host}:${port}`;
  log.info({ url, auth: auth.open ? 'open (loopback, no token)' : `tokens: ${tokens.describe()}`, trustProxy: o.proxy.expressValue }, 'dashboard listening');
  let closing: Promise<void> | undefined;
  let feedClosing: Promise<void> | undefined;
  const closeFeed = () => (feedClosing ??= feed.close());
  return {
    url,
    port,
    inFlight: () => requests.inFlight,
    drain: (graceMs) => {
      void closeFeed().catch(() => undefined);
      return requests.drain(server, graceMs);
    },
    close: () =>
      (closing ??= (async () => {
        await closeFeed();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })()),
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
