import { DISPOSITIONS, type CallResult, type Disposition } from '../dialer/call-result.js';
import { BadArgumentError } from '../errors.js';

/** What to do after an attempt ended with one disposition. */
export interface RetryRule {
  /** How many more attempts a number gets after ending with this disposition (0 = none). */
  retries: number;
  /** Wait before each of them, in milliseconds. */
  delayMs: number;
}

/**
 * Retries by disposition; a disposition not listed is final. Counting is PER DISPOSITION, as in Vicidial's lead
 * recycling and most predictive dialers: `BUSY: 2` means "after a busy, call again, up to twice for busy", however
 * many no-answers happen in between. That is what users mean when they write "busy=2", and each disposition's
 * delay fits its cause (a busy line frees up in minutes, a no-answer needs longer). The price is that the total
 * is bounded only by the sum: see {@link maxAttemptsPerNumber}.
 */
export type RetryPolicy = Partial<Record<RetryKey, RetryRule>>;

/**
 * What a policy is keyed by: a disposition, or MACHINE. A call that answering machine detection (`--amd`) found a
 * machine is ANSWERED, which is never retried; `machine=1@2h` calls such a number again, hoping for a person.
 * NOTSURE is not MACHINE here, even when `notSureAs` sent it the machine's way: it may have been a person.
 */
export type RetryKey = Disposition | 'MACHINE';

export const RETRY_KEYS: readonly RetryKey[] = [...DISPOSITIONS, 'MACHINE'];

/** The key an attempt's result counts under: MACHINE for an answered call AMD said was a machine. */
export function retryKeyFor(result: Pick<CallResult, 'disposition' | 'amd_status'>): RetryKey {
  return result.disposition === 'ANSWERED' && result.amd_status === 'MACHINE' ? 'MACHINE' : result.disposition;
}

/**
 * Busy: 2 more after 5 minutes; no answer: 1 more after 10 minutes; congestion (the network, not the callee):
 * 3 more after 1 minute. Everything else is final: FAILED/ERROR/UNKNOWN usually mean a bad number or a
 * configuration problem that a retry would only repeat; REJECTED means the callee declined.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  BUSY: Object.freeze({ retries: 2, delayMs: 5 * 60_000 }),
  NO_ANSWER: Object.freeze({ retries: 1, delayMs: 10 * 60_000 }),
  CONGESTION: Object.freeze({ retries: 3, delayMs: 60_000 }),
});

/**
 * Never retried, whatever a policy says: ANSWERED reached a person (calling again would call them twice) and
 * CANCELLED is an operator's decision to stop, which a retry would undo.
 */
export const NEVER_RETRIED: ReadonlySet<RetryKey> = new Set<RetryKey>(['ANSWERED', 'CANCELLED']);

/**
 * INTERRUPTED (Asterisk restarted or our event socket dropped under the call) is not the callee's answer, so it is
 * retried even when a policy does not name it: a user who writes `busy=2@5m` decides about busy lines, not about our
 * outages. `interrupted=0` turns it off; `interrupted=N@D` changes it.
 */
export const INTERRUPTED_DEFAULT_RULE: RetryRule = Object.freeze({ retries: 2, delayMs: 60_000 });

/** The rule that applies to a disposition under a policy (INTERRUPTED falls back to its default). */
export function ruleFor(policy: RetryPolicy, disposition: RetryKey): RetryRule | undefined {
  return policy[disposition] ?? (disposition === 'INTERRUPTED' ? INTERRUPTED_DEFAULT_RULE : undefined);
}

export const MAX_RETRIES = 20;
export const MAX_DELAY_MS = 7 * 24 * 3_600_000;

export type NextAttempt = { retry: false } | { retry: true; delayMs: number };

/**
 * Whether a number is called again after an attempt ended with `disposition`. `attemptsSoFar` counts the
 * attempts of this number that ended with this same disposition, INCLUDING the one that just ended (so it is at
 * least 1): with `BUSY: 2`, the first and second busy are retried, the third is final.
 */
export function nextAttempt(policy: RetryPolicy, disposition: RetryKey, attemptsSoFar: number): NextAttempt {
  if (!Number.isSafeInteger(attemptsSoFar) || attemptsSoFar < 1) {
    throw new BadArgumentError('attemptsSoFar', `must be a positive integer (it includes the attempt that just ended), got ${String(attemptsSoFar)}`);
  }
  if (NEVER_RETRIED.has(disposition)) return { retry: false };
  const rule = ruleFor(policy, disposition);
  if (rule === undefined || attemptsSoFar > rule.retries) return { retry: false };
  return { retry: true, delayMs: rule.delayMs };
}

/** The most attempts one number can get under a policy: the first plus every disposition's retries. */
export function maxAttemptsPerNumber(policy: RetryPolicy): number {
  let total = 1;
  for (const disposition of RETRY_KEYS) {
    if (!NEVER_RETRIED.has(disposition)) total += ruleFor(policy, disposition)?.retries ?? 0;
  }
  return total;
}

/**
 * Reads a policy given by a user: a CLI string such as `busy=2@5m,no_answer=1@10m,congestion=3@60s` (`none` or
 * an empty string for no retries), a JSON object string, or an object `{ BUSY: { retries: 2, delayMs: 300000 } }`
 * (`delay: "5m"` may replace `delayMs`; `"2@5m"` may replace the whole rule). Disposition names are
 * case-insensitive and `-` may stand for `_` (`no-answer`, and Asterisk's `noanswer`, work too). Delays need a
 * unit: ms, s, m or h. The result REPLACES the default policy: dispositions not mentioned are not retried, so what
 * is written is exactly what happens, except INTERRUPTED (see {@link INTERRUPTED_DEFAULT_RULE}). Throws {@link BadArgumentError} naming the bad part.
 */
export function parseRetryPolicy(input: unknown): RetryPolicy {
  if (typeof input === 'string') {
    const text = input.trim();
    if (text === '' || text.toLowerCase() === 'none') return {};
    if (text.startsWith('{')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        throw new BadArgumentError('retry', `not valid JSON (${(error as Error).message})`);
      }
      return parseRetryPolicy(parsed);
    }
    const policy: RetryPolicy = {};
    for (const part of text.split(',')) {
      const item = part.trim();
      const eq = item.indexOf('=');
      if (eq === -1) throw new BadArgumentError('retry', `"${item}": expected disposition=retries@delay, e.g. busy=2@5m`);
      add(policy, item, item.slice(0, eq), item.slice(eq + 1));
    }
    return policy;
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new BadArgumentError('retry', 'must be a string like "busy=2@5m,no_answer=1@10m" or an object by disposition');
  }
  const policy: RetryPolicy = {};
  for (const [name, value] of Object.entries(input)) add(policy, name, name, value);
  return policy;
}

/** The CLI form of a policy, e.g. `busy=2@5m,no_answer=1@10m,congestion=3@1m` (`none` when empty). */
export function formatRetryPolicy(policy: RetryPolicy): string {
  const parts: string[] = [];
  for (const disposition of RETRY_KEYS) {
    const rule = policy[disposition];
    if (rule !== undefined) parts.push(`${disposition.toLowerCase()}=${rule.retries}@${formatDuration(rule.delayMs)}`);
  }
  return parts.length === 0 ? 'none' : parts.join(',');
}

function add(policy: RetryPolicy, part: string, name: string, value: unknown): void {
  const disposition = toDisposition(name);
  if (disposition === undefined) {
    throw new BadArgumentError('retry', `"${part}": unknown disposition "${name.trim()}" (one of ${RETRY_KEYS.join(', ')})`);
  }
  if (NEVER_RETRIED.has(disposition)) {
    throw new BadArgumentError('retry', `"${part}": ${disposition} is never retried`);
  }
  if (policy[disposition] !== undefined) throw new BadArgumentError('retry', `"${part}": ${disposition} is given twice`);
  policy[disposition] = toRule(part, value);
}

function toDisposition(name: string): RetryKey | undefined {
  const key = name.trim().toUpperCase().replace(/[-\s]/g, '_');
  if (key === 'NOANSWER') return 'NO_ANSWER';
  return RETRY_KEYS.find((d) => d === key);
}

function toRule(part: string, value: unknown): RetryRule {
  let retries: unknown;
  let delay: unknown;
  if (typeof value === 'string') {
    const at = value.indexOf('@');
    retries = (at === -1 ? value : value.slice(0, at)).trim();
    delay = at === -1 ? undefined : value.slice(at + 1).trim();
  } else if (typeof value === 'object' && value !== null) {
    const rule = value as Record<string, unknown>;
    retries = rule.retries;
    delay = rule.delayMs ?? rule.delay;
  } else {
    throw new BadArgumentError('retry', `"${part}": expected "retries@delay" or { retries, delayMs }`);
  }
  const count = typeof retries === 'string' && /^\d+$/.test(retries) ? Number(retries) : retries;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0 || count > MAX_RETRIES) {
    throw new BadArgumentError('retry', `"${part}": retries must be a whole number from 0 to ${MAX_RETRIES}`);
  }
  if (delay === undefined) {
    if (count === 0) return { retries: 0, delayMs: 0 };
    throw new BadArgumentError('retry', `"${part}": missing the delay, e.g. ${String(count)}@5m`);
  }
  const delayMs = typeof delay === 'string' ? parseDuration(part, delay) : delay;
  if (typeof delayMs !== 'number' || !Number.isInteger(delayMs) || delayMs < 0 || delayMs > MAX_DELAY_MS) {
    throw new BadArgumentError('retry', `"${part}": delay must be from 0 to 7 days in whole milliseconds`);
  }
  return { retries: count, delayMs };
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "90s", "5m", "1.5h". A bare number is refused: seconds or milliseconds would be a guess. */
function parseDuration(part: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/i.exec(text.trim());
  if (match === null) {
    throw new BadArgumentError('retry', `"${part}": delay "${text}" needs a number and a unit (ms, s, m, h), e.g. 5m`);
  }
  return Math.round(Number(match[1]) * UNIT_MS[match[2]!.toLowerCase()]!);
}

function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
