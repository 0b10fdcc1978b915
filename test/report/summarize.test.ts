import { describe, expect, it } from 'vitest';
import { DISPOSITIONS } from '../../src/dialer/call-result.js';
import { SummaryBuilder, summarize, summarizeStream, type AttemptRecord } from '../../src/report/summarize.js';
import { attempt } from './attempt-fixture.js';

/** Five contacts: answered on the 2nd try, no answer twice, answered at once, still busy, cancelled undialled. */
const CAMPAIGN: AttemptRecord[] = [
  attempt({ row: 2, attempt: 1, disposition: 'BUSY', cause: 17, cause_txt: 'User busy' }),
  attempt({ row: 2, attempt: 2, disposition: 'ANSWERED', final: true, talk_s: 30.5 }),
  attempt({ row: 3, attempt: 1, disposition: 'NO_ANSWER', cause: 19, cause_txt: 'No answer' }),
  attempt({ row: 3, attempt: 2, disposition: 'NO_ANSWER', cause: 19, cause_txt: 'No answer', final: true }),
  attempt({ row: 4, attempt: 1, disposition: 'ANSWERED', final: true, talk_s: 10.25 }),
  attempt({ row: 5, attempt: 1, disposition: 'BUSY' }),
  attempt({ row: 6, attempt: 0, disposition: 'CANCELLED', channel_id: '', cause: 0, cause_txt: 'Unknown', final: true }),
];

const zeroes = () => Object.fromEntries(DISPOSITIONS.map((d) => [d, 0]));

describe('summarize', () => {
  it('summarizes nothing', () => {
    expect(summarize([])).toEqual({
      numbers: 0,
      attempts: 0,
      answered: 0,
      dialed: 0,
      not_dialed: { cancelled: 0, ended_by_schedule: 0 },
      asr: 0,
      asr_per_attempt: 0,
      acd_s: 0,
      total_talk_s: 0,
      by_disposition: zeroes(),
      causes: [],
      attempts_per_number: {},
    });
  });

  it('summarizes a campaign', () => {
    expect(summarize(CAMPAIGN)).toEqual({
      numbers: 5,
      attempts: 6, // the cancelled record placed no call
      answered: 2,
      dialed: 3, // rows 2, 3, 4 (row 5 is still in progress, row 6 was cancelled before its first call)
      not_dialed: { cancelled: 1, ended_by_schedule: 0 },
      asr: 2 / 3, // 2 answered of the 3 contacts dialed with a final result; the cancelled row never rang
      asr_per_attempt: 2 / 6,
      acd_s: 20.375,
      total_talk_s: 40.75,
      by_disposition: { ...zeroes(), ANSWERED: 2, NO_ANSWER: 1, CANCELLED: 1 },
      causes: [
        { cause: 16, cause_txt: 'Normal Clearing', count: 2 },
        { cause: 17, cause_txt: 'User busy', count: 2 },
        { cause: 19, cause_txt: 'No answer', count: 2 },
      ],
      attempts_per_number: { '0': 1, '1': 2, '2': 2 },
    });
  });

  it('does not depend on the order of records', () => {
    const reversed = [...CAMPAIGN].reverse();
    const interleaved = [...CAMPAIGN.filter((_, i) => i % 2 === 0), ...CAMPAIGN.filter((_, i) => i % 2 === 1)];
    expect(summarize(reversed)).toEqual(summarize(CAMPAIGN));
    expect(summarize(interleaved)).toEqual(summarize(CAMPAIGN));
  });

  it('counts a contact once when its final record is seen twice', () => {
    const twice = summarize([...CAMPAIGN, CAMPAIGN[1]!, CAMPAIGN[6]!]);
    const once = summarize(CAMPAIGN);
    for (const key of ['numbers', 'answered', 'dialed', 'not_dialed', 'asr', 'by_disposition', 'attempts_per_number'] as const) {
      expect(twice[key]).toEqual(once[key]);
    }
  });

  it('leaves numbers never dialed out of the answer rate (cancel, schedule end) but not one cancelled before a retry', () => {
    // The cancelled campaign: 35 of 51 dialed numbers answered, 349 never dialed → 68.6 %, not 35 / 400.
    const records: AttemptRecord[] = [];
    for (let row = 1; row <= 51; row++)
      records.push(
        attempt({
          row,
          attempt: 1,
          final: true,
          ...(row <= 35 ? { disposition: 'ANSWERED' as const } : { disposition: 'NO_ANSWER', answered: false, cause: 19 }),
        }),
      );
    for (let row = 52; row <= 400; row++) {
      records.push(
        attempt({
          row,
          attempt: 0,
          disposition: 'CANCELLED',
          channel_id: '',
          answered: false,
          cause: 0,
          final: true,
          message: row <= 300 ? 'campaign cancelled before this number was dialed' : 'campaign ended at 2026-12-01T18:00:00.000Z before this number was dialed',
        }),
      );
    }
    // A number busy once, then cancelled before its retry: it was dialed, and counts as not answered.
    records.push(attempt({ row: 401, attempt: 1, disposition: 'BUSY', answered: false, cause: 17 }));
    records.push(
      attempt({
        row: 401,
        attempt: 1,
        disposition: 'CANCELLED',
        channel_id: '',
        answered: false,
        cause: 0,
        final: true,
        message: 'campaign cancelled before this number was dialed again',
      }),
    );
    const s = summarize(records);
    expect(s).toMatchObject({ numbers: 401, answered: 35, dialed: 52, not_dialed: { cancelled: 249, ended_by_schedule: 100 }, attempts: 52 });
    expect(s.asr).toBeCloseTo(35 / 52, 10);
    expect(s.asr_per_attempt).toBeCloseTo(35 / 52, 10);
    expect(s.by_disposition.CANCELLED).toBe(350);
  });

  it('sorts causes by count, then by cause', () => {
    const records = [
      attempt({ row: 2, cause: 34, cause_txt: 'Circuit congestion' }),
      attempt({ row: 3, cause: 21, cause_txt: 'Call rejected' }),
      attempt({ row: 4, cause: 34, cause_txt: 'Circuit congestion' }),
      attempt({ row: 5, cause: 1, cause_txt: 'Unallocated number' }),
    ];
    expect(summarize(records).causes.map((c) => [c.cause, c.count])).toEqual([
      [34, 2],
      [1, 1],
      [21, 1],
    ]);
  });

  it('takes the first non-empty cause text', () => {
    const records = [attempt({ row: 2, cause: 17, cause_txt: '' }), attempt({ row: 3, cause: 17, cause_txt: 'User busy' })];
    expect(summarize(records).causes).toEqual([{ cause: 17, cause_txt: 'User busy', count: 2 }]);
  });

  it('sums talk time without float drift', () => {
    const records = [0.1, 0.2, 0.7].map((talk_s, i) => attempt({ row: i + 2, disposition: 'ANSWERED', final: true, talk_s }));
    const summary = summarize(records);
    expect(summary.total_talk_s).toBe(1);
    expect(summary.acd_s).toBe(0.333);
  });

  it('ignores talk time that is not a number', () => {
    const records = [attempt({ disposition: 'ANSWERED', final: true, talk_s: Number.NaN })];
    expect(summarize(records).total_talk_s).toBe(0);
  });

  it('tells contacts of different campaigns apart', () => {
    const records = [attempt({ campaignId: 'a', row: 2 }), attempt({ campaignId: 'b', row: 2 })];
    expect(summarize(records).numbers).toBe(2);
  });

  it('uses the highest attempt number for the histogram, whatever was filtered out', () => {
    const records = [attempt({ row: 2, attempt: 3, disposition: 'BUSY', final: true })];
    expect(summarize(records).attempts_per_number).toEqual({ '3': 1 });
  });

  it('orders the histogram numerically', () => {
    const records = [12, 2, 1].map((n, i) => attempt({ row: i + 2, attempt: n }));
    expect(Object.keys(summarize(records).attempts_per_number)).toEqual(['1', '2', '12']);
  });

  it('streams from an async source with the same result', async () => {
    async function* source(): AsyncGenerator<AttemptRecord> {
      yield* CAMPAIGN;
    }
    expect(await summarizeStream(source())).toEqual(summarize(CAMPAIGN));
  });

  it('builds incrementally and can report at any time', () => {
    const builder = new SummaryBuilder();
    builder.add(CAMPAIGN[0]!);
    expect(builder.result()).toMatchObject({ numbers: 1, attempts: 1, asr: 0, attempts_per_number: { '1': 1 } });
    builder.add(CAMPAIGN[1]!);
    expect(builder.result()).toMatchObject({ numbers: 1, attempts: 2, answered: 1, asr: 1, attempts_per_number: { '2': 1 } });
  });

  it('handles a hundred thousand records without keeping them', () => {
    const builder = new SummaryBuilder();
    for (let row = 2; row < 100_002; row++) {
      builder.add(attempt({ row, attempt: 1, disposition: 'BUSY' }));
      builder.add(attempt({ row, attempt: 2, disposition: row % 4 === 0 ? 'ANSWERED' : 'BUSY', final: row % 4 === 0, talk_s: 12 }));
    }
    const summary = builder.result();
    expect(summary).toMatchObject({ numbers: 100_000, attempts: 200_000, answered: 25_000, asr: 1, acd_s: 12 });
    expect(summary.attempts_per_number).toEqual({ '2': 100_000 });
  });
});

describe('AMD figures', () => {
  it('are absent without AMD, and give human and machine rates over the calls AMD heard', () => {
    expect(summarize([attempt({ disposition: 'ANSWERED' })]).amd).toBeUndefined();
    const records = [
      attempt({ row: 2, disposition: 'ANSWERED', amd_status: 'HUMAN', amd_cause: 'HUMAN-800-800', amd_ms: 1300 }),
      attempt({ row: 3, disposition: 'ANSWERED', amd_status: 'MACHINE', amd_cause: 'LONGGREETING-2000-2000', amd_ms: 2200, final: false }),
      attempt({ row: 3, attempt: 2, disposition: 'ANSWERED', amd_status: 'MACHINE', amd_cause: 'LONGGREETING-2000-2000', amd_ms: 2200 }),
      attempt({ row: 4, disposition: 'ANSWERED', amd_status: 'NOTSURE', amd_cause: 'TOOLONG-5000', amd_ms: 5000 }),
      attempt({ row: 5, disposition: 'BUSY' }),
    ];
    expect(summarize(records).amd).toEqual({
      calls: 4,
      by_status: { HUMAN: 1, MACHINE: 2, NOTSURE: 1, HANGUP: 0 },
      human_rate: 0.25,
      machine_rate: 0.5,
      avg_ms: 2675,
    });
  });
});
