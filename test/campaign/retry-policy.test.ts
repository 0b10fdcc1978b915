import { describe, expect, it } from 'vitest';
import { DISPOSITIONS, type Disposition } from '../../src/dialer/call-result.js';
import {
  DEFAULT_RETRY_POLICY,
  formatRetryPolicy,
  maxAttemptsPerNumber,
  nextAttempt,
  parseRetryPolicy,
  retryKeyFor,
  type RetryPolicy,
} from '../../src/policy/retry-policy.js';
import { BadArgumentError } from '../../src/errors.js';

const MIN = 60_000;

describe('DEFAULT_RETRY_POLICY', () => {
  const expected: Array<[Disposition, number, number | undefined]> = [
    // disposition, attempts so far with it, delay of the retry (undefined: no retry)
    ['BUSY', 1, 5 * MIN],
    ['BUSY', 2, 5 * MIN],
    ['BUSY', 3, undefined],
    ['NO_ANSWER', 1, 10 * MIN],
    ['NO_ANSWER', 2, undefined],
    ['CONGESTION', 1, MIN],
    ['CONGESTION', 3, MIN],
    ['CONGESTION', 4, undefined],
    ['ANSWERED', 1, undefined],
    ['REJECTED', 1, undefined],
    ['FAILED', 1, undefined],
    ['ERROR', 1, undefined],
    ['UNKNOWN', 1, undefined],
    ['CANCELLED', 1, undefined],
    ['INTERRUPTED', 1, MIN],
    ['INTERRUPTED', 2, MIN],
    ['INTERRUPTED', 3, undefined],
  ];
  for (const [disposition, soFar, delayMs] of expected) {
    it(`${disposition} after ${soFar} → ${delayMs === undefined ? 'final' : `retry in ${delayMs / MIN} min`}`, () => {
      expect(nextAttempt(DEFAULT_RETRY_POLICY, disposition, soFar)).toEqual(delayMs === undefined ? { retry: false } : { retry: true, delayMs });
    });
  }

  it('cannot be changed by accident', () => {
    expect(Object.isFrozen(DEFAULT_RETRY_POLICY)).toBe(true);
    expect(Object.isFrozen(DEFAULT_RETRY_POLICY.BUSY)).toBe(true);
  });

  it('allows at most 1 + 2 + 1 + 3 attempts per number, + 2 after interruptions', () => {
    expect(maxAttemptsPerNumber(DEFAULT_RETRY_POLICY)).toBe(9);
  });
});

describe('INTERRUPTED (Asterisk or our socket cut the call, not the callee)', () => {
  it('is retried under a policy that does not name it, even an empty one', () => {
    expect(nextAttempt(parseRetryPolicy('busy=1@1m'), 'INTERRUPTED', 1)).toEqual({ retry: true, delayMs: MIN });
    expect(nextAttempt(parseRetryPolicy('none'), 'INTERRUPTED', 2)).toEqual({ retry: true, delayMs: MIN });
    expect(nextAttempt(parseRetryPolicy('none'), 'INTERRUPTED', 3)).toEqual({ retry: false });
  });

  it('follows the policy when it is named', () => {
    expect(nextAttempt(parseRetryPolicy('interrupted=0'), 'INTERRUPTED', 1)).toEqual({ retry: false });
    expect(nextAttempt(parseRetryPolicy('interrupted=5@10s'), 'INTERRUPTED', 5)).toEqual({ retry: true, delayMs: 10_000 });
  });
});

describe('nextAttempt', () => {
  it('counts per disposition: other dispositions in between do not use up retries', () => {
    // busy, no answer, busy: the second busy is the 2nd BUSY, still retried under BUSY: 2.
    const tries: Partial<Record<Disposition, number>> = {};
    const outcomes: Disposition[] = ['BUSY', 'NO_ANSWER', 'BUSY', 'BUSY'];
    const decisions = outcomes.map((d) => {
      tries[d] = (tries[d] ?? 0) + 1;
      return nextAttempt(DEFAULT_RETRY_POLICY, d, tries[d]).retry;
    });
    expect(decisions).toEqual([true, true, true, false]);
  });

  it('never retries ANSWERED or CANCELLED, even if a policy object says so', () => {
    const reckless = { ANSWERED: { retries: 5, delayMs: 1 }, CANCELLED: { retries: 5, delayMs: 1 } } as RetryPolicy;
    expect(nextAttempt(reckless, 'ANSWERED', 1)).toEqual({ retry: false });
    expect(nextAttempt(reckless, 'CANCELLED', 1)).toEqual({ retry: false });
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects attemptsSoFar %s', (soFar) => {
    expect(() => nextAttempt(DEFAULT_RETRY_POLICY, 'BUSY', soFar)).toThrow(BadArgumentError);
  });
});

describe('parseRetryPolicy', () => {
  it('reads the CLI form', () => {
    expect(parseRetryPolicy('busy=2@5m,no_answer=1@10m,congestion=3@60s')).toEqual(DEFAULT_RETRY_POLICY);
  });

  const forms: Array<[string, unknown, RetryPolicy]> = [
    [
      'names in any case, - for _, spaces',
      ' BUSY = 1@90s , No-Answer=2@1.5h ',
      { BUSY: { retries: 1, delayMs: 90_000 }, NO_ANSWER: { retries: 2, delayMs: 5_400_000 } },
    ],
    ["Asterisk's NOANSWER", 'noanswer=1@500ms', { NO_ANSWER: { retries: 1, delayMs: 500 } }],
    ['zero retries need no delay', 'busy=0', { BUSY: { retries: 0, delayMs: 0 } }],
    ['none', 'none', {}],
    ['empty', '', {}],
    ['an object', { busy: { retries: 2, delayMs: 1000 } }, { BUSY: { retries: 2, delayMs: 1000 } }],
    [
      'an object with delay strings',
      { CONGESTION: { retries: 3, delay: '1m' }, failed: '1@2h' },
      { CONGESTION: { retries: 3, delayMs: MIN }, FAILED: { retries: 1, delayMs: 7_200_000 } },
    ],
    ['JSON text', '{"REJECTED":{"retries":1,"delayMs":5}}', { REJECTED: { retries: 1, delayMs: 5 } }],
  ];
  for (const [name, input, expected] of forms) {
    it(name, () => expect(parseRetryPolicy(input)).toEqual(expected));
  }

  const bad: Array<[unknown, RegExp]> = [
    ['busy', /^retry: "busy": expected disposition=retries@delay/],
    ['busy=2@5m,hangup=1@1m', /^retry: "hangup=1@1m": unknown disposition "hangup"/],
    ['answered=1@1m', /"answered=1@1m": ANSWERED is never retried/],
    ['cancelled=1@1m', /CANCELLED is never retried/],
    ['busy=2', /"busy=2": missing the delay, e\.g\. 2@5m/],
    ['busy=2@300', /"busy=2@300": delay "300" needs a number and a unit/],
    ['busy=x@5m', /"busy=x@5m": retries must be a whole number from 0 to 20/],
    ['busy=21@5m', /retries must be a whole number from 0 to 20/],
    ['busy=-1@5m', /retries must be a whole number/],
    ['busy=1@8d', /delay "8d" needs a number and a unit/],
    ['busy=1@169h', /delay must be from 0 to 7 days/],
    ['busy=1@5m,BUSY=2@1m', /"BUSY=2@1m": BUSY is given twice/],
    ['{"busy":', /^retry: not valid JSON/],
    [{ busy: { retries: 1, delayMs: -5 } }, /delay must be from 0 to 7 days/],
    [{ busy: { retries: 1, delayMs: 1.5 } }, /whole milliseconds/],
    [{ busy: 3 }, /expected "retries@delay" or \{ retries, delayMs \}/],
    [42, /must be a string like/],
    [null, /must be a string like/],
    [['busy=1@1m'], /must be a string like/],
  ];
  for (const [input, message] of bad) {
    it(`refuses ${JSON.stringify(input)}`, () => {
      let caught: unknown;
      try {
        parseRetryPolicy(input);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(BadArgumentError);
      expect((caught as BadArgumentError).code).toBe('BAD_ARGUMENT');
      expect((caught as Error).message).toMatch(message);
    });
  }

  it('round-trips through formatRetryPolicy', () => {
    expect(formatRetryPolicy(DEFAULT_RETRY_POLICY)).toBe('busy=2@5m,no_answer=1@10m,congestion=3@1m');
    expect(formatRetryPolicy({})).toBe('none');
    const odd: RetryPolicy = { FAILED: { retries: 1, delayMs: 1500 }, UNKNOWN: { retries: 2, delayMs: 7_200_000 } };
    expect(parseRetryPolicy(formatRetryPolicy(odd))).toEqual(odd);
  });

  it('accepts every disposition except the never-retried ones', () => {
    for (const d of DISPOSITIONS) {
      const parse = () => parseRetryPolicy(`${d}=1@1s`);
      if (d === 'ANSWERED' || d === 'CANCELLED') expect(parse).toThrow(/never retried/);
      else expect(parse()).toEqual({ [d]: { retries: 1, delayMs: 1000 } });
    }
  });
});

describe('MACHINE (answered, but AMD heard a machine)', () => {
  it('is named in a policy and round-trips', () => {
    const p = parseRetryPolicy('busy=2@5m,machine=1@2h');
    expect(p.MACHINE).toEqual({ retries: 1, delayMs: 2 * 60 * MIN });
    expect(formatRetryPolicy(p)).toBe('busy=2@5m,machine=1@2h');
    expect(maxAttemptsPerNumber(p)).toBe(1 + 2 + 1 + 2);
  });

  it('an answered call counts as MACHINE only when AMD said MACHINE; a person is never retried', () => {
    const p = parseRetryPolicy('machine=1@2h');
    expect(retryKeyFor({ disposition: 'ANSWERED', amd_status: 'MACHINE' })).toBe('MACHINE');
    expect(nextAttempt(p, retryKeyFor({ disposition: 'ANSWERED', amd_status: 'MACHINE' }), 1)).toEqual({ retry: true, delayMs: 2 * 60 * MIN });
    expect(nextAttempt(p, 'MACHINE', 2)).toEqual({ retry: false });
    for (const amd_status of ['HUMAN', 'NOTSURE', 'HANGUP', undefined] as const) {
      expect(retryKeyFor({ disposition: 'ANSWERED', amd_status })).toBe('ANSWERED');
      expect(nextAttempt(p, retryKeyFor({ disposition: 'ANSWERED', amd_status }), 1)).toEqual({ retry: false });
    }
    expect(retryKeyFor({ disposition: 'BUSY' })).toBe('BUSY');
  });
});
