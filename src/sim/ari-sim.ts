import { PlaybackRegistry } from './playback.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { Logger } from '../log.js';
import { resolveSimOptions, type AriSimOptions, type ResolvedSimOptions } from './ari-sim-options.js';
import type { CallEnv, LiveCall } from './call-env.js';
import { ChannelIds, type Channel } from './channel-model.js';
import { EventBus } from './event-bus.js';
import { FaultState, type SimFaults } from './faults.js';
import {
  BodyTooLarge,
  UNAUTHORIZED,
  ariError,
  authenticate,
  htmlErrorPage,
  rawResponse,
  readBody,
  writeHtmlError,
  writeResult,
  type RestResult,
} from './http-io.js';
import { Params } from './params.js';
import { ChannelRegistry } from './registry.js';
import { handleRest, type RouteDeps } from './routes.js';
import { RestartSequence, resolveRestartOptions, type RestartOptions, type RestartPhase } from './restart-sequence.js';
import { SimModules } from './modules.js';
import { SimRecording, type SimRecordingFaults } from './recording/sim-recording.js';
import { OutcomeRules } from './rules.js';
import { createStats, resetStats, type SimStats } from './stats.js';

export type { AriSimOptions } from './ari-sim-options.js';
export type { SimStats } from './stats.js';
export type { SimFaults, TrunkDownOptions } from './faults.js';
export type { Outcome, OutcomeMix, SimRule } from './rules.js';
export type { Channel } from './channel-model.js';
export type { RestartOptions, RestartPhase } from './restart-sequence.js';
export type { SimRecordingFaults } from './recording/sim-recording.js';

/** http.conf session_keep_alive default: an idle keep-alive connection is closed after 15 s. */
const KEEP_ALIVE_MS = 15_000;
/** res_ari.c answers this until ast_fully_booted, and closes the connection (ARI_INVOKE_RESULT_ERROR_CLOSE). */
const NOT_BOOTED: RestResult = { status: 503, body: { message: 'Asterisk not booted' }, headers: { Connection: 'close' } };

/**
 * A fake Asterisk 20 speaking ARI over real HTTP and WebSocket, for tests, benchmarks and the demo. Behaviour follows
 * recorded traces of a real Asterisk (see docs/simulator.md); `faults` break it on purpose.
 */
export class AriSim {
  readonly stats: SimStats = createStats();
  readonly faults: SimFaults;
  /** Snoops, live recordings and the recording directory (which, like a disk, outlives a restart). */
  readonly recording: SimRecording;
  private readonly faultState: FaultState;
  private readonly opts: ResolvedSimOptions;
  private readonly log: Logger;
  private readonly bus: EventBus;
  private readonly registry = new ChannelRegistry();
  private readonly ids = new ChannelIds();
  private readonly calls = new Set<LiveCall>();
  private readonly playbacks = new PlaybackRegistry();
  private readonly deps: RouteDeps;
  private readonly connections = new Set<Socket>();
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly basePath: string;
  private server: Server | undefined;
  private startedAt = Date.now();
  private boundPort = 0;
  private stopped = false;
  private restarting: Promise<void> | undefined;
  private readonly restartSequence: RestartSequence;

  private constructor(options: AriSimOptions) {
    this.opts = resolveSimOptions(options);
    this.log = this.opts.logger.child({ component: 'ari-sim' });
    this.bus = new EventBus({ logger: this.log });
    this.faultState = new FaultState({
      dropSockets: () => this.bus.terminateAll(),
      resetConnections: () => this.resetConnections(),
    });
    this.faults = this.faultState;
    this.basePath = `${this.opts.prefix ? `/${this.opts.prefix}` : ''}/ari`;
    const { timeScale, noAnswerCause, dialplanMs, amdContext } = this.opts;
    const modules = new SimModules(this.opts.missingModules);
    this.recording = new SimRecording({ bus: this.bus, registry: this.registry, ids: this.ids, timeScale });
    const callEnv: CallEnv = {
      bus: this.bus,
      registry: this.registry,
      scale: (ms) => ms * timeScale,
      noAnswerCause,
      dialplanMs,
      amdContext,
      amdLoaded: modules.loaded('app_amd.so'),
      playbacks: this.playbacks,
      onEnded: (call) => {
        this.calls.delete(call);
        this.stats.activeChannels -= 1;
      },
      log: this.log,
    };
    this.deps = {
      bus: this.bus,
      registry: this.registry,
      ids: this.ids,
      rules: new OutcomeRules({ rules: this.opts.rules, mix: this.opts.mix, seed: this.opts.seed }),
      stats: this.stats,
      callEnv,
      calls: this.calls,
      startedAt: () => this.startedAt,
      modules,
      recordingRoutes: new Map(this.recording.handlers()),
      refusingChannels: () => this.restartSequence.phase === 'refusingChannels',
      deadTrunkFor: (endpoint) => this.faultState.deadTrunkFor(endpoint),
      playbacks: this.playbacks,
      sounds: this.opts.sounds,
    };
    this.restartSequence = new RestartSequence({
      hangUpAllCalls: () => {
        for (const call of [...this.calls]) call.hangUpForShutdown();
      },
      closeEverything: () => this.shutDown({ reset: true }),
      listenAgain: async () => {
        this.ids.reset();
        this.startedAt = Date.now();
        await this.listen(this.boundPort);
      },
      isStopped: () => this.stopped,
    });
  }

  /** Starts listening; resolves once the port is bound. */
  static async start(options: AriSimOptions = {}): Promise<AriSim> {
    const sim = new AriSim(options);
    await sim.listen(sim.opts.port);
    return sim;
  }

  /** Base ARI URL, prefix included: `http://127.0.0.1:41234/ari`. */
  get url(): string {
    const host = this.opts.host === '0.0.0.0' || this.opts.host === '::' ? '127.0.0.1' : this.opts.host;
    const shown = host.includes(':') ? `[${host}]` : host;
    return `http://${shown}:${this.boundPort}${this.basePath}`;
  }

  get port(): number {
    return this.boundPort;
  }

  /** Channels alive now (both halves of Local channels). */
  liveChannels(): Channel[] {
    return this.registry.snapshot();
  }

  /** Recording faults: a full disk, snoops refused. */
  get recordingFaults(): SimRecordingFaults {
    return this.recording.faults;
  }

  resetStats(): void {
    resetStats(this.stats);
  }

  /** Closes everything at once: sockets, calls (no events), the listener. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.restartSequence.release();
    await this.shutDown();
    this.wss.close();
  }

  /**
   * `core restart now`, phase by phase as a real Asterisk 20 goes through it (see RestartPhase and
   * docs/simulator.md): originates refused, then 503 for everything, then the live calls hung up (cause 0), every
   * connection reset, the port closed, 404, "Asterisk not booted", and a fresh Asterisk with new ids and no apps.
   * A number is the time the port stays closed (real ms); an object sets any phase, and `Infinity` holds a phase until
   * `releaseRestartPhase()`. Resolves once the simulator answers normally again.
   */
  restart(downMsOrOptions?: number | RestartOptions): Promise<void> {
    const options = resolveRestartOptions(downMsOrOptions, this.calls.size > 0);
    // Two overlapping restarts would both try to bind the port; the second joins the first.
    this.restarting ??= this.restartOnce(options).finally(() => (this.restarting = undefined));
    return this.restarting;
  }

  /** The restart phase the simulator is in, or undefined when it runs normally. */
  get restartPhase(): RestartPhase | undefined {
    return this.restartSequence.phase;
  }

  /** Ends the restart phase being held (a duration of `Infinity`) or waited out; the restart goes on. */
  releaseRestartPhase(): void {
    this.restartSequence.release();
  }

  private async restartOnce(options: Parameters<RestartSequence['run']>[0]): Promise<void> {
    if (this.stopped) return;
    await this.restartSequence.run(options);
  }

  /** Forgets every call and app; `reset` sends RSTs (a process going away) instead of FINs. */
  private async shutDown(how: { reset?: boolean } = {}): Promise<void> {
    this.recording.vanishAll();
    for (const call of [...this.calls]) call.vanish();
    this.calls.clear();
    this.registry.clear();
    this.playbacks.clear();
    this.stats.activeChannels = 0;
    this.bus.reset();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.connections) {
      if (how.reset) socket.resetAndDestroy();
      else socket.destroy();
    }
    this.connections.clear();
    server.closeAllConnections();
    await closed;
  }

  private listen(port: number): Promise<void> {
    const server = createServer((req, res) => this.onRequest(req, res));
    server.keepAliveTimeout = KEEP_ALIVE_MS;
    server.on('connection', (socket: Socket) => this.onConnection(socket));
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
    server.on('clientError', (_err, socket) => socket.destroy());
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.opts.host, () => {
        server.off('error', reject);
        const address = server.address();
        this.boundPort = typeof address === 'object' && address ? address.port : port;
        this.server = server;
        this.log.info({ url: this.url }, 'ARI simulator listening');
        resolve();
      });
    });
  }

  /** Every TCP connection (REST keep-alive and event WebSocket) is reset; the listener and the calls stay. */
  private resetConnections(): void {
    for (const socket of [...this.connections]) socket.resetAndDestroy();
    this.connections.clear();
  }

  /** http.conf sessionlimit and the refuseConnections fault: accepted, then closed without a byte. */
  private onConnection(socket: Socket): void {
    if (this.faultState.refuseAll || this.connections.size >= this.opts.sessionLimit) {
      socket.destroy();
      return;
    }
    this.connections.add(socket);
    socket.once('close', () => this.connections.delete(socket));
  }

  /** Splits `/prefix/ari/rest/of/path` → `rest/of/path`; undefined when outside ARI. */
  private ariPath(pathname: string): string | undefined {
    if (pathname === this.basePath) return '';
    return pathname.startsWith(`${this.basePath}/`) ? pathname.slice(this.basePath.length + 1) : undefined;
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    this.stats.restRequests += 1;
    const url = new URL(req.url ?? '/', 'http://sim');
    const method = req.method ?? 'GET';
    const path = this.ariPath(url.pathname);
    const phase = this.restartSequence.phase;
    // main/http.c refuses every request once the shutdown is final, before looking at the URI.
    if (phase === 'shuttingDown') return writeHtmlError(res, 503, SHUTDOWN_IN_PROGRESS, { close: true });
    if (path === undefined || phase === 'notRegistered') return writeHtmlError(res, 404, NOT_FOUND_PAGE_TEXT);
    const failure = this.faultState.takeFailure(method, url.pathname);
    if (failure !== undefined) return this.answer(res, ariError(failure, 'Simulated failure'));
    if (!authenticate(req, url.searchParams, this.opts.users)) return this.answer(res, UNAUTHORIZED);
    if (phase === 'notBooted') return this.answer(res, NOT_BOOTED);
    if (path === 'events' && method === 'GET') return writeHtmlError(res, 426, '');
    readBody(req).then(
      (text) => {
        const body = parseBody(req, text, url.searchParams);
        if (body === PARSE_ERROR) return this.answer(res, ariError(400, 'Error parsing request body'));
        const result = handleRest(this.deps, method, path, new Params(url.searchParams, body));
        this.answer(res, result);
      },
      (err: unknown) => {
        if (err instanceof BodyTooLarge) this.answer(res, ariError(413, 'Request body too large'));
        else res.destroy();
      },
    );
  }

  /** Writes the answer, late when the setRestDelay fault is on (the work is already done by then). */
  private answer(res: ServerResponse, result: RestResult): void {
    const delay = this.faultState.restDelay;
    if (delay <= 0) return writeResult(res, result);
    setTimeout(() => writeResult(res, result), delay).unref();
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const reject = (status: number, contentType: string, body: string, headers?: Record<string, string>): void => {
      socket.end(rawResponse(status, contentType, body, headers));
    };
    const url = new URL(req.url ?? '/', 'http://sim');
    const path = this.ariPath(url.pathname);
    const phase = this.restartSequence.phase;
    if (phase === 'shuttingDown') return reject(503, 'text/html', htmlErrorPage(503, SHUTDOWN_IN_PROGRESS));
    if (path === undefined || phase === 'notRegistered') return reject(404, 'text/html', htmlErrorPage(404, NOT_FOUND_PAGE_TEXT));
    if (!authenticate(req, url.searchParams, this.opts.users)) {
      return reject(401, 'application/json', JSON.stringify(UNAUTHORIZED.body), UNAUTHORIZED.headers);
    }
    if (phase === 'notBooted') return reject(503, 'application/json', JSON.stringify(NOT_BOOTED.body));
    if (path !== 'events') return reject(404, 'application/json', JSON.stringify({ message: 'Resource not found' }));
    const apps = (url.searchParams.get('app') ?? '').split(',').filter((a) => a !== '');
    if (apps.length === 0) {
      // Raised below ARI (websocket_attempted_cb → ast_http_error), hence an HTML page and not JSON.
      return reject(400, 'text/html', htmlErrorPage(400, 'HTTP request is missing param: [app]'));
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      if (this.stopped || !this.server) return ws.terminate();
      this.bus.attach(ws, apps, socket);
      this.log.debug({ apps }, 'event websocket connected');
    });
  }
}

const PARSE_ERROR = Symbol('parse error');
/** main/http.c's texts for its own error pages. */
const SHUTDOWN_IN_PROGRESS = 'Shutdown in progress';
const NOT_FOUND_PAGE_TEXT = 'The requested URL was not found on this server.';

/** JSON bodies become parameters; a form body is merged into the query, as Asterisk's HTTP server does. */
function parseBody(req: IncomingMessage, text: string, query: URLSearchParams): unknown {
  if (text.trim() === '') return undefined;
  const type = req.headers['content-type'] ?? '';
  if (type.includes('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(text)) query.append(k, v);
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return PARSE_ERROR;
  }
}
