import { describe, expect, it } from 'vitest';
import { summarize } from '../../src/report/summarize.js';
import { MAX_VALUES_PER_VAR, OTHER } from '../../src/report/summarize-after-answer.js';
import { attempt } from './attempt-fixture.js';

describe('the summary after the answer', () => {
  it('press rate per key, opt-out rate, mean heard, flows; no message section without a message', () => {
    const s = summarize([
      attempt({ row: 1, keys: '1', flow: 'pressed', heard_s: 2, opted_out: false }),
      attempt({ row: 2, keys: '9', flow: 'optout', heard_s: 1, opted_out: true }),
      attempt({ row: 3, keys: '', flow: 'no_press', heard_s: 6, opted_out: false }),
      attempt({ row: 4, keys: '5', flow: 'no_press', heard_s: 3, opted_out: false }),
    ]);
    expect(s.message).toEqual({
      calls: 4,
      by_flow: { pressed: 1, optout: 1, no_press: 2, hung_up_in_message: 0, not_played: 0 },
      press_rate: { '1': 0.25, '5': 0.25, '9': 0.25 },
      optout_rate: 0.25,
      opted_out: 1,
      avg_heard_s: 3,
    });
    expect(summarize([attempt({ row: 1 })]).message).toBeUndefined();
  });

  it('a count and share per captured value, bounded per variable', () => {
    const records = [1, 2, 2, 2].map((v, i) => attempt({ row: i + 1, captured: { SURVEY_ANSWER: String(v) } }));
    expect(summarize(records).captured).toEqual({ SURVEY_ANSWER: { calls: 4, values: { '2': { count: 3, share: 0.75 }, '1': { count: 1, share: 0.25 } } } });
    const many = Array.from({ length: MAX_VALUES_PER_VAR + 10 }, (_, i) => attempt({ row: i + 1, captured: { FILE: `f${i}` } }));
    const files = summarize(many).captured!.FILE!;
    expect(Object.keys(files.values)).toHaveLength(MAX_VALUES_PER_VAR + 1);
    expect(files.values[OTHER]!.count).toBe(10);
  });
});
