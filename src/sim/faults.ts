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
  /** Everything back to normal. */
  clear(): void;
}

/** What the server does for the faults that act at once rather than change how later requests are answered. */
export interface FaultActions {
  dropSockets(): void;
  resetConnections(): void;
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

  clear(): void {
    this.restDelayMs = 0;
    this.refusing = false;
    this.failRules = [];
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
