import { BadArgumentError } from '../errors.js';
import type { SimAmdStatus } from './amd-model.js';

/**
 * Deciding what becomes of each originated call. The decision is deterministic so tests can dial a number and know
 * the outcome; docs/simulator.md carries the same table for people.
 *
 * First match wins:
 *  1. the `rules` given to the simulator, in order;
 *  2. a keyword in the endpoint's resource (`Local/busy@sim`, `SIP/operator/busy`);
 *  3. the last digit of the resource's digits (`SIP/trunk/5551230006` → 6 → busy);
 *  4. the seeded `mix`, when one is given;
 *  5. answer.
 */

/** What the far end does with a call. */
export type Outcome = 'answer' | 'busy' | 'noanswer' | 'congestion' | 'rejected' | 'unavailable' | 'failed';

export const OUTCOMES: readonly Outcome[] = ['answer', 'busy', 'noanswer', 'congestion', 'rejected', 'unavailable', 'failed'];

/** One routing rule, checked before the built-in ones. */
export interface SimRule {
  /** A RegExp tested against the whole endpoint, or a substring of it. */
  match: RegExp | string;
  /**
   * The outcome, or a sequence taken by the nth originate of the same endpoint through this rule (the last one
   * repeats): `['busy', 'busy', 'answer']` answers on the third try.
   */
  outcome: Outcome | Outcome[];
  /**
   * Ringing before the outcome, in simulated ms. @defaultValue 1000 for answer; 0 for failures (they come before
   * any ringing, after the technology's signalling delay)
   */
  ringMs?: number;
  /** Talk time after answer before the callee hangs up, in simulated ms. @defaultValue 2000 */
  talkMs?: number;
  /** What AMD() says of this callee when the call is sent through it. @defaultValue by keyword and number (amd-model.ts) */
  amd?: SimAmdStatus;
  /** Keys the callee presses once it listens ('' for none). @defaultValue by keyword and number (callee-script.ts) */
  press?: string;
  /** When it presses, simulated ms after it starts listening. @defaultValue 1500 */
  pressAtMs?: number;
  /** A machine's greeting length (the voice TALK_DETECT hears), simulated ms. @defaultValue 8000 */
  greetingMs?: number;
}

/** Relative weights of outcomes for endpoints no rule matches (they need not sum to 1). */
export type OutcomeMix = Partial<Record<Outcome, number>>;

/** How the rules decided, for logs and tests. */
export type DecisionSource = 'rule' | 'keyword' | 'last-digit' | 'mix' | 'default';

/** One decided call. Durations are simulated ms, before the time scale. */
export interface CallPlan {
  outcome: Outcome;
  /** Undefined: the outcome's own default (see SimRule.ringMs). */
  ringMs: number | undefined;
  talkMs: number;
  source: DecisionSource;
  /** The rule's AMD verdict, when it gives one. */
  amd?: SimAmdStatus;
  /** The rule's callee keys and timing, when it gives them. */
  press?: string;
  pressAtMs?: number;
  greetingMs?: number;
}

export const DEFAULT_RING_MS = 1000;
export const DEFAULT_TALK_MS = 2000;

/** Keywords looked for in the resource, in this order (`noanswer` before `answer`, which it contains). */
export const KEYWORDS: ReadonlyArray<readonly [string, Outcome]> = [
  ['noanswer', 'noanswer'],
  ['busy', 'busy'],
  ['congest', 'congestion'],
  ['reject', 'rejected'],
  ['unavail', 'unavailable'],
  ['fail', 'failed'],
  ['answer', 'answer'],
  // Callee-behaviour keywords (callee-script.ts) answer: `press9` is not the rejected last digit 9.
  ['press', 'answer'],
  ['silent', 'answer'],
];

/** Last digit of the number → outcome. */
export const LAST_DIGIT: Readonly<Record<string, Outcome>> = {
  '0': 'answer',
  '1': 'answer',
  '2': 'answer',
  '3': 'answer',
  '4': 'answer',
  '5': 'answer',
  '6': 'busy',
  '7': 'noanswer',
  '8': 'congestion',
  '9': 'rejected',
};

export interface OutcomeRulesOptions {
  /** Checked before the built-in rules. @defaultValue [] */
  rules?: SimRule[];
  /** Weights used when nothing else matches. @defaultValue undefined (answer) */
  mix?: OutcomeMix;
  /** Seed of the mix's pseudo-random sequence. @defaultValue 1 */
  seed?: number;
}

/** The rule set, with the per-endpoint counters that sequences need. */
export class OutcomeRules {
  private readonly rules: readonly SimRule[];
  private readonly mix: ReadonlyArray<readonly [Outcome, number]>;
  private readonly mixTotal: number;
  private readonly random: () => number;
  /** nth originate per rule and endpoint, for sequences. */
  private readonly seen: Array<Map<string, number>>;

  constructor(options: OutcomeRulesOptions = {}) {
    this.rules = options.rules ?? [];
    this.seen = this.rules.map(() => new Map<string, number>());
    const mix = Object.entries(options.mix ?? {}).filter((e): e is [Outcome, number] => typeof e[1] === 'number');
    for (const [outcome, weight] of mix) {
      if (!OUTCOMES.includes(outcome)) throw new BadArgumentError('mix', `unknown outcome "${outcome}"`);
      if (!(weight >= 0) || !Number.isFinite(weight)) throw new BadArgumentError(`mix.${outcome}`, 'must be a finite number >= 0');
    }
    this.mix = mix;
    this.mixTotal = mix.reduce((sum, [, w]) => sum + w, 0);
    this.random = mulberry32(options.seed ?? 1);
    this.rules.forEach((rule, i) => {
      const outcomes = Array.isArray(rule.outcome) ? rule.outcome : [rule.outcome];
      if (outcomes.length === 0) throw new BadArgumentError(`rules[${i}].outcome`, 'must not be empty');
      for (const o of outcomes) if (!OUTCOMES.includes(o)) throw new BadArgumentError(`rules[${i}].outcome`, `unknown outcome "${o}"`);
      if (rule.press !== undefined && !/^[0-9*#]*$/.test(rule.press)) throw new BadArgumentError(`rules[${i}].press`, 'must be keys 0-9, * or #');
      for (const key of ['ringMs', 'talkMs', 'pressAtMs', 'greetingMs'] as const) {
        const v = rule[key];
        if (v !== undefined && !(v >= 0)) throw new BadArgumentError(`rules[${i}].${key}`, 'must be >= 0');
      }
      if (rule.amd !== undefined && !['HUMAN', 'MACHINE', 'NOTSURE', 'HANGUP'].includes(rule.amd)) {
        throw new BadArgumentError(`rules[${i}].amd`, 'must be HUMAN, MACHINE, NOTSURE or HANGUP');
      }
    });
  }

  /** Decides one originate to `endpoint` (`Tech/resource`); counts it for sequences. */
  decide(endpoint: string): CallPlan {
    for (let i = 0; i < this.rules.length; i++) {
      const rule = this.rules[i]!;
      const hit = typeof rule.match === 'string' ? endpoint.includes(rule.match) : testRegExp(rule.match, endpoint);
      if (!hit) continue;
      const seen = this.seen[i]!;
      const n = seen.get(endpoint) ?? 0;
      seen.set(endpoint, n + 1);
      const outcome = Array.isArray(rule.outcome) ? rule.outcome[Math.min(n, rule.outcome.length - 1)]! : rule.outcome;
      return {
        outcome,
        ringMs: rule.ringMs,
        talkMs: rule.talkMs ?? DEFAULT_TALK_MS,
        source: 'rule',
        ...(rule.amd ? { amd: rule.amd } : {}),
        ...(rule.press !== undefined ? { press: rule.press } : {}),
        ...(rule.pressAtMs !== undefined ? { pressAtMs: rule.pressAtMs } : {}),
        ...(rule.greetingMs !== undefined ? { greetingMs: rule.greetingMs } : {}),
      };
    }
    const resource = endpoint.slice(endpoint.indexOf('/') + 1).toLowerCase();
    for (const [keyword, outcome] of KEYWORDS) {
      if (resource.includes(keyword)) return plan(outcome, 'keyword');
    }
    const digits = resource.replace(/\D/g, '');
    if (digits.length > 0) return plan(LAST_DIGIT[digits[digits.length - 1]!]!, 'last-digit');
    if (this.mixTotal > 0) return plan(this.draw(), 'mix');
    return plan('answer', 'default');
  }

  private draw(): Outcome {
    let r = this.random() * this.mixTotal;
    for (const [outcome, weight] of this.mix) {
      if (r < weight) return outcome;
      r -= weight;
    }
    return this.mix[this.mix.length - 1]![0];
  }
}

function plan(outcome: Outcome, source: DecisionSource): CallPlan {
  return { outcome, ringMs: undefined, talkMs: DEFAULT_TALK_MS, source };
}

/** A global or sticky RegExp keeps state between test() calls; rules must not depend on call history that way. */
function testRegExp(re: RegExp, s: string): boolean {
  re.lastIndex = 0;
  return re.test(s);
}

/** Small, fast, seedable PRNG: the same seed gives the same mix of outcomes on every run. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
