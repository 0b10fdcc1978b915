import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryStore } from '../../src/store/history/history-store.js';
import { attempt } from '../report/attempt-fixture.js';
import { testHistory } from '../helpers/pg-test.js';

let history: HistoryStore;
let drop: () => Promise<void>;

beforeAll(async () => {
  ({ history, drop } = await testHistory('recording'));
});
afterAll(() => drop());

describe('history keeps the recording in a column of its own (migration 4)', () => {
  it('the whole object for a recorded call, null for one that was not; the record reads back with it', async () => {
    const recording = { name: 'c-rec-2-1', asterisk: 'pbx1', format: 'wav', duration_s: 29, state: 'done' as const };
    await history.write([
      { k: 'a', r: attempt({ campaignId: 'rr', row: 2, disposition: 'ANSWERED', recording }) },
      { k: 'a', r: attempt({ campaignId: 'rr', row: 3 }) },
    ]);
    const rows = await history.pool.query(`SELECT row, recording, record->'recording' AS in_record FROM attempts WHERE campaign_id = 'rr' ORDER BY row`);
    expect(rows.rows).toEqual([
      { row: 2, recording, in_record: recording },
      { row: 3, recording: null, in_record: null },
    ]);
    // What a download or a delete asks: the campaign's recorded calls, through the partial index.
    const recorded = await history.pool.query(`SELECT recording->>'name' AS name FROM attempts WHERE campaign_id = 'rr' AND recording IS NOT NULL`);
    expect(recorded.rows).toEqual([{ name: 'c-rec-2-1' }]);
  });
});
