export interface BackoffOptions {
  /** First delay. @defaultValue 250 */
  initialMs?: number;
  /** Ceiling for any delay. @defaultValue 10000 */
  maxMs?: number;
  /** Growth per attempt. @defaultValue 2 */
  factor?: number;
  /** Fraction of the delay randomised (0..1), so many workers do not reconnect in lockstep. @defaultValue 0.3 */
  jitter?: number;
}

/** Exponential backoff with jitter; `attempt` counts from 0. */
export function backoffDelay(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const initial = options.initialMs ?? 250;
  const max = options.maxMs ?? 10_000;
  const factor = options.factor ?? 2;
  const jitter = Math.min(Math.max(options.jitter ?? 0.3, 0), 1);
  const base = Math.min(max, initial * factor ** Math.max(0, attempt));
  return Math.min(max, Math.round(base * (1 - jitter + jitter * 2 * random())));
}
