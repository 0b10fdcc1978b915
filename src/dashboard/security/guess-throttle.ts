/** How many failed token checks a client address may make, and over how long. */
export interface GuessThrottleOptions {
  /** Failures per address within `windowMs` before it gets 429. @defaultValue 10 */
  perAddress?: number;
  /** Failures from every address together within `windowMs` before every new guess gets 429. @defaultValue 200 */
  overall?: number;
  /** @defaultValue 600000 (10 minutes) */
  windowMs?: number;
  /** Addresses remembered at most (the oldest are forgotten first). @defaultValue 10000 */
  maxAddresses?: number;
  now?: () => number;
}

/**
 * Counts failed logins and bad tokens per client address (and overall) in a sliding window. Only failures count:
 * a user with the right token is never slowed by their own successes.
 */
export class GuessThrottle {
  private readonly perAddress: number;
  private readonly overall: number;
  private readonly windowMs: number;
  private readonly maxAddresses: number;
  private readonly now: () => number;
  private readonly failures = new Map<string, number[]>();
  private all: number[] = [];

  constructor(o: GuessThrottleOptions = {}) {
    this.perAddress = o.perAddress ?? 10;
    this.overall = o.overall ?? 200;
    this.windowMs = o.windowMs ?? 600_000;
    this.maxAddresses = o.maxAddresses ?? 10_000;
    this.now = o.now ?? Date.now;
  }

  /** Seconds until this address may try again, or 0 when it may try now. */
  retryAfterS(address: string): number {
    const t = this.now();
    const mine = this.recent(this.failures.get(address) ?? [], t);
    this.all = this.recent(this.all, t);
    let until = 0;
    if (mine.length >= this.perAddress) until = mine[mine.length - this.perAddress]! + this.windowMs;
    if (this.all.length >= this.overall) until = Math.max(until, this.all[this.all.length - this.overall]! + this.windowMs);
    return until > t ? Math.ceil((until - t) / 1000) : 0;
  }

  fail(address: string): void {
    const t = this.now();
    const mine = this.recent(this.failures.get(address) ?? [], t);
    mine.push(t);
    this.failures.delete(address);
    this.failures.set(address, mine.slice(-this.perAddress));
    if (this.failures.size > this.maxAddresses) this.failures.delete(this.failures.keys().next().value!);
    this.all.push(t);
    if (this.all.length > this.overall * 2) this.all = this.all.slice(-this.overall);
  }

  private recent(list: number[], t: number): number[] {
    return list.filter((x) => x > t - this.windowMs);
  }
}
