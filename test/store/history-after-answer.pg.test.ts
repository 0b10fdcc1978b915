import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryStore } from '../../src/store/history/history-store.js';
import type { OutboxEntry } from '../../src/store/history/history-rows.js';
import { attempt } from '../report/attempt-fixture.js';
import { testHistory } from '../helpers/pg-test.js';

let history: HistoryStore;
let drop: () => Promise<void>;

beforeAll(async () => {
  ({ history, drop } = await testHistory('after_answer'));
});
afterAll(() => drop());

describe('history keeps what happened after the answer in columns of its own (migration 3)', () => {
  it('keys, the message fields, the opt-out and the captured variables; null where a call had none', async () => {
    const batch: OutboxEntry[] = [
      {
        k: 'a',
        r: attempt({
          campaignId: 'aa',
          row: 2,
          keys: '9',
          first_key_s: 1.25,
          flow: 'optout',
          heard_s: 1.2,
          message_done: false,
          opted_out: true,
          captured: { SURVEY_ANSWER: '9' },
        }),
      },
      { k: 'a', r: attempt({ campaignId: 'aa', row: 3 }) },
    ];
    expect(await history.write(batch)).toMatchObject({ attempts: 2 });
    const rows = await history.pool.query(
      `SELECT row, keys, first_key_s, flow, heard_s, message_done, opted_out, machine_message_s, captured FROM attempts WHERE campaign_id = 'aa' ORDER BY row`,
    );
    expect(rows.rows).toEqual([
      {
        row: 2,
        keys: '9',
        first_key_s: 1.25,
        flow: 'optout',
        heard_s: 1.2,
        message_done: false,
        opted_out: true,
        machine_message_s: null,
        captured: { SURVEY_ANSWER: '9' },
      },
      { row: 3, keys: null, first_key_s: null, flow: null, heard_s: null, message_done: null, opted_out: null, machine_message_s: null, captured: null },
    ]);
    const optedOut = await history.pool.query(`SELECT count(*)::int AS n FROM attempts WHERE campaign_id = 'aa' AND opted_out`);
    expect(optedOut.rows[0].n).toBe(1);
  });
});
