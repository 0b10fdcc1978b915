import type { AttemptRecord } from '../../src/report/attempt-record.js';

/** An attempt record with plausible values; tests override what they are about. */
export function attempt(overrides: Partial<AttemptRecord> = {}): AttemptRecord {
  const answered = overrides.disposition === 'ANSWERED' || overrides.answered === true;
  return {
    status: 'success',
    answered,
    cause: answered ? 16 : 17,
    cause_txt: answered ? 'Normal Clearing' : 'User busy',
    message: answered ? 'Normal Clearing (16)' : 'User busy (17)',
    disposition: answered ? 'ANSWERED' : 'BUSY',
    channel_id: `ch-${overrides.row ?? 2}-${overrides.attempt ?? 1}`,
    endpoint: 'PJSIP/+4930123456@trunk',
    callerid: '+4930999',
    created_at: '2025-06-02T10:00:00.000Z',
    answered_at: answered ? '2025-06-02T10:00:05.000Z' : null,
    ended_at: '2025-06-02T10:00:35.000Z',
    ring_s: 5,
    talk_s: answered ? 30 : 0,
    duration: 35,
    campaignId: 'c1',
    row: 2,
    number: '+4930123456',
    attempt: 1,
    final: answered,
    ...overrides,
  };
}
