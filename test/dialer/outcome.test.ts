import { describe, expect, it } from 'vitest';
import { causeMessage, decideOutcome } from '../../src/dialer/outcome.js';
import { channelIdFor } from '../../src/dialer/channel-id.js';

const base = { answered: false, rang: false, cancelled: false };

describe('decideOutcome', () => {
  it.each([
    [17, 'BUSY'],
    [19, 'NO_ANSWER'],
    [18, 'NO_ANSWER'],
    [34, 'CONGESTION'],
    [21, 'REJECTED'],
    [20, 'FAILED'],
    [1, 'FAILED'],
    [38, 'FAILED'],
  ] as const)('cause %i unanswered is %s', (cause, disposition) => {
    expect(decideOutcome({ ...base, cause }).disposition).toBe(disposition);
  });

  it('an answered call is ANSWERED whatever the cause', () => {
    expect(decideOutcome({ ...base, cause: 16, answered: true })).toMatchObject({ disposition: 'ANSWERED', cause: 16, cause_txt: 'Normal Clearing' });
  });

  it('resolves cause 0 on a Local ;1 from the Dial status (busy.json)', () => {
    const o = decideOutcome({ ...base, cause: 0, dialstatus: 'BUSY' });
    expect(o).toMatchObject({ cause: 17, cause_txt: 'User busy', disposition: 'BUSY' });
    expect(o.note).toMatch(/cause 0/);
  });

  it('cause 0 after ringing to the timeout is NO_ANSWER', () => {
    expect(decideOutcome({ ...base, cause: 0, rang: true })).toMatchObject({ cause: 19, disposition: 'NO_ANSWER' });
  });

  it('cause 0 with nothing else known stays UNKNOWN', () => {
    expect(decideOutcome({ ...base, cause: 0 })).toMatchObject({ cause: 0, cause_txt: 'Unknown', disposition: 'UNKNOWN' });
  });

  it('our own hangup of an unanswered call is CANCELLED', () => {
    expect(decideOutcome({ ...base, cause: 16, rang: true, cancelled: true }).disposition).toBe('CANCELLED');
  });

  it('formats the message like the seed script', () => {
    expect(causeMessage(16)).toBe('Normal Clearing (16)');
    expect(causeMessage(17)).toBe('User busy (17)');
  });
});

describe('channelIdFor', () => {
  it('is deterministic per campaign, contact and OUR attempt', () => {
    const a = channelIdFor({ campaignId: 'spring', contactKey: '12', attempt: 1 });
    expect(a).toBe(channelIdFor({ campaignId: 'spring', contactKey: '12', attempt: 1 }));
    expect(a).not.toBe(channelIdFor({ campaignId: 'spring', contactKey: '12', attempt: 2 }));
    expect(a).not.toBe(channelIdFor({ campaignId: 'spring', contactKey: '13', attempt: 1 }));
  });
  it('keeps only characters safe in a URL path and an Asterisk id', () => {
    expect(channelIdFor({ campaignId: 'a b/c', contactKey: '+49 30', attempt: 1 })).toMatch(/^[A-Za-z0-9._-]+$/);
  });
  it('refuses attempt 0', () => {
    expect(() => channelIdFor({ campaignId: 'x', contactKey: '1', attempt: 0 })).toThrow(/attempt/);
  });
});
