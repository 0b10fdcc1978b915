import type { AttemptRecord } from './attempt-record.js';

/** A message's figures over the calls that had one (every attempt: each was a separate answer). */
export interface MessageSummary {
  /** Answered calls with a message result (`flow`). */
  calls: number;
  by_flow: Record<'pressed' | 'optout' | 'no_press' | 'hung_up_in_message' | 'not_played', number>;
  /** Share of message calls whose first key was each key, 0..1 (listed or not). */
  press_rate: Record<string, number>;
  /** Opt-outs / message calls, 0..1. */
  optout_rate: number;
  opted_out: number;
  /** Mean seconds of the message the callee heard. */
  avg_heard_s: number;
}

/** The values a captured variable took: count and share of the calls that set it. */
export interface CapturedSummary {
  calls: number;
  values: Record<string, { count: number; share: number }>;
}

/** At most this many distinct values are counted per variable; the rest go to OTHER. */
export const MAX_VALUES_PER_VAR = 50;
export const OTHER = '(other)';

const FLOWS = ['pressed', 'optout', 'no_press', 'hung_up_in_message', 'not_played'] as const;

/** Counts what happened after the answer, one record at a time (memory: per key, per variable value, bounded). */
export class AfterAnswerSummaryBuilder {
  private calls = 0;
  private readonly flows = new Map<string, number>();
  private readonly firstKeys = new Map<string, number>();
  private optOuts = 0;
  private heardMs = 0;
  private readonly captured = new Map<string, { calls: number; values: Map<string, number> }>();

  add(r: AttemptRecord): void {
    if (r.flow !== undefined && (FLOWS as readonly string[]).includes(r.flow)) {
      this.calls++;
      this.flows.set(r.flow, (this.flows.get(r.flow) ?? 0) + 1);
      const first = typeof r.keys === 'string' ? r.keys[0] : undefined;
      if (first !== undefined) this.firstKeys.set(first, (this.firstKeys.get(first) ?? 0) + 1);
      if (r.opted_out === true) this.optOuts++;
      if (typeof r.heard_s === 'number' && Number.isFinite(r.heard_s)) this.heardMs += Math.round(Math.max(0, r.heard_s) * 1000);
    }
    if (r.captured && typeof r.captured === 'object') {
      for (const [name, value] of Object.entries(r.captured)) {
        let v = this.captured.get(name);
        if (v === undefined) this.captured.set(name, (v = { calls: 0, values: new Map() }));
        v.calls++;
        const key = v.values.has(value) || v.values.size < MAX_VALUES_PER_VAR ? value : OTHER;
        v.values.set(key, (v.values.get(key) ?? 0) + 1);
      }
    }
  }

  message(): MessageSummary | undefined {
    if (this.calls === 0) return undefined;
    const by_flow = Object.fromEntries(FLOWS.map((f) => [f, this.flows.get(f) ?? 0])) as MessageSummary['by_flow'];
    const press_rate = Object.fromEntries([...this.firstKeys].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => [k, n / this.calls]));
    return {
      calls: this.calls,
      by_flow,
      press_rate,
      optout_rate: this.optOuts / this.calls,
      opted_out: this.optOuts,
      avg_heard_s: Math.round(this.heardMs / this.calls) / 1000,
    };
  }

  capturedValues(): Record<string, CapturedSummary> | undefined {
    if (this.captured.size === 0) return undefined;
    const out: Record<string, CapturedSummary> = {};
    for (const [name, v] of this.captured) {
      const values = [...v.values].sort((a, b) => b[1] - a[1]).map(([value, count]) => [value, { count, share: count / v.calls }] as const);
      out[name] = { calls: v.calls, values: Object.fromEntries(values) };
    }
    return out;
  }
}
