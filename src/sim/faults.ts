import { BadArgumentError } from '../errors.js';

/** Faults a test can switch on to see how a client copes with a misbehaving Asterisk. */
export interface SimFaults {
  /** Terminates every event WebSocket abruptly (clients must reconnect); channels live on. */
  dropSockets(): void;
  /**
   * A network blip: every open TCP connection, HTTP keep-alive and WebSocket alike, is reset at once (RST, no FIN).
   * Requests in flight fail, event sockets close with 1006; the server keeps listening and calls live on.
   */
  resetConnections(): void;
  /** Every REST answer is delayed by `ms` (0 = off). The request itself is carried out at once, as a slow link would. */
  setRestDelay(ms: number): void;
  /**
   * The next `count` REST requests (default: until cleared) whose `"METHOD /path"` (path without query string)
   * matches `match` (default: all) answer `status` with `{"message":"Simulated failure"}`, without being carried out.
   */
  failRest(status: number, options?: { count?: number; match?: RegExp }): void;
  /** While on, new TCP connections (HTTP and WebSocket) are destroyed at once. */
  refuseConnections(on: boolean): void;
  /**
   * A trunk dies: originates whose endpoint matches `match` (a substring, or a RegExp tested against the whole
   * endpoint) are refused with 500 `{"error":"Allocation failed"}` (`mode: 'refuse'`, the default: the driver cannot
   * create the channel) or are placed and fail at once (`mode: 'fail'`) with `cause` 34 (default: a SIP 503, also what a
   * transport failure gives) or 38 (a SIP 500). Until `trunkUp`.
   */
  trunkDown(match: RegExp | string, options?: TrunkDownOptions): void;
  /** The trunk(s) matched by `match` (the same value given to trunkDown), or every dead trunk, come back. */
  trunkUp(match?: RegExp | string): void;
  /** Everything back to normal. */
  clear(): void;
}

/** What the server does for the faults that act at once rather than change how later requests are answered. */
export interface FaultActions {
  dropSockets(): void;
  resetConnections(): void;
}

export interface TrunkDownOptions {
  /** `refuse`: 500 Allocation failed at originate; `fail`: the call is placed and ends at once. @defaultValue 'refuse' */
  mode?: 'refuse' | 'fail';
  /** With `fail`: 34 ends as congestion (Dial CONGESTION), 38 as a network failure (Dial NOANSWER). @defaultValue 34 */
  cause?: 34 | 38;
}

/** A trunk that is down: what its originates get. */
export interface DeadTrunk {
  readonly match: RegExp | string;
  readonly mode: 'refuse' | 'fail';
  readonly cause: 34 | 38;
}

interface FailRule {
  readonly status: number;
  readonly match: RegExp | undefined;
  remaining: number;
}

/** The state behind SimFaults; the server asks it about each request and connection. */
export class FaultState implements SimFaults {
  private restDelayMs = 0;
  private refusing = false;
  private failRules: FailRule[] = [];
  private deadTrunks: DeadTrunk[] = [];

  constructor(private readonly actions: FaultActions) {}

  dropSockets(): void {
    this.actions.dropSockets();
  }

  resetConnections(): void {
    this.actions.resetConnections();
  }

  setRestDelay(ms: number): void {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new BadArgumentError('setRestDelay(ms)', 'must be a finite number >= 0');
    this.restDelayMs = ms;
  }

  failRest(status: number, options: { count?: number; match?: RegExp } = {}): void {
    if (!Number.isInteger(status) || status < 100 || status > 599) {
      throw new BadArgumentError('failRest(status)', 'must be an HTTP status code (100-599)');
    }
    const count = options.count ?? Number.POSITIVE_INFINITY;
    if (!(count > 0)) throw new BadArgumentError('failRest(options.count)', 'must be > 0');
    this.failRules.push({ status, match: options.match, remaining: count });
  }

  refuseConnections(on: boolean): void {
    this.refusing = on;
  }

  trunkDown(match: RegExp | string, options: TrunkDownOptions = {}): void {
    const mode = options.mode ?? 'refuse';
    const cause = options.cause ?? 34;
    if (mode !== 'refuse' && mode !== 'fail') throw new BadArgumentError('trunkDown(options.mode)', "must be 'refuse' or 'fail'");
    if (cause !== 34 && cause !== 38) throw new BadArgumentError('trunkDown(options.cause)', 'must be 34 or 38');
    this.deadTrunks.push({ match, mode, cause });
  }

  trunkUp(match?: RegExp | string): void {
    this.deadTrunks = match === undefined ? [] : this.deadTrunks.filter((t) => t.match !== match);
  }

  /** The dead trunk an originate to `endpoint` goes through, if any. */
  deadTrunkFor(endpoint: string): DeadTrunk | undefined {
    return this.deadTrunks.find((t) => {
      if (typeof t.match === 'string') return endpoint.includes(t.match);
      t.match.lastIndex = 0;
      return t.match.test(endpoint);
    });
  }

  clear(): void {
    this.restDelayMs = 0;
    this.refusing = false;
    this.failRules = [];
    this.deadTrunks = [];
  }

  get restDelay(): number {
    return this.restDelayMs;
  }

  get refuseAll(): boolean {
    return this.refusing;
  }

  /** The status a request must fail with, if a rule takes it (and uses up one of that rule's count). */
  takeFailure(method: string, path: string): number | undefined {
    const line = `${method} ${path}`;
    for (const rule of this.failRules) {
      if (rule.match) rule.match.lastIndex = 0;
      if (rule.match && !rule.match.test(line)) continue;
      rule.remaining -= 1;
      if (rule.remaining <= 0) this.failRules = this.failRules.filter((r) => r !== rule);
      return rule.status;
    }
    return undefined;
  }
}
