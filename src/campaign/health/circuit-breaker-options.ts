import { ConfigError } from '../../errors.js';

/** How a campaign's circuit breaker (one per campaign in each worker) decides. */
export interface CircuitBreakerOptions {
  /** Failures on our side of the line in a row that open the breaker. @defaultValue 10 */
  threshold?: number;
  /** Wait after the breaker opens before Asterisk is probed; doubles with each trip in a row. @defaultValue 1000 */
  probeDelayMs?: number;
  /** Longest wait between probes. @defaultValue 30000 */
  maxProbeDelayMs?: number;
  /**
   * Trips in a row while Asterisk itself answers (so the trunk or the endpoint is at fault, not a restart) after which
   * the campaign is paused with the reason, for an operator to look. @defaultValue 3
   */
  pauseAfterTrips?: number;
  /**
   * Recent placed calls that make the campaign's own mix of network causes: a campaign whose numbers often end with
   * cause 34 needs a longer run of them to trip than one whose numbers never do. @defaultValue 200
   */
  mixWindow?: number;
}

export type ResolvedBreakerOptions = Required<CircuitBreakerOptions>;

export const DEFAULT_BREAKER_OPTIONS: ResolvedBreakerOptions = Object.freeze({
  threshold: 10,
  probeDelayMs: 1000,
  maxProbeDelayMs: 30_000,
  pauseAfterTrips: 3,
  mixWindow: 200,
});

/** Defaults merged once; every bad option reported at once, by name. */
export function resolveBreakerOptions(options: CircuitBreakerOptions = {}): ResolvedBreakerOptions {
  const o = { ...DEFAULT_BREAKER_OPTIONS, ...stripUndefined(options) };
  const problems: string[] = [];
  const int = (name: keyof ResolvedBreakerOptions, min: number) => {
    if (!Number.isInteger(o[name]) || o[name] < min) problems.push(`breaker ${name} must be an integer >= ${min}, got ${String(o[name])}`);
  };
  int('threshold', 1);
  int('probeDelayMs', 1);
  int('maxProbeDelayMs', 1);
  int('pauseAfterTrips', 1);
  int('mixWindow', 1);
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(o);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
