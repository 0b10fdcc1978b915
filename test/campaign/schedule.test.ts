import { describe, expect, it } from 'vitest';
import { parseScheduleTime, schedulePhase, scheduleProblems } from '../../src/policy/schedule.js';
import { parseSettings } from '../../src/policy/campaign-settings.js';

describe('schedule times', () => {
  it('takes ISO times with Z or an offset', () => {
    for (const t of ['2026-12-01T09:00:00+01:00', '2026-12-01T09:00Z', '2026-12-01T08:00:00.250Z', '2026-12-01T09:00:00+0100']) {
      expect(parseScheduleTime(t, '--start-at')).toBe(t);
    }
  });

  it('refuses a time without an offset, naming the flag', () => {
    expect(() => parseScheduleTime('2026-12-01T09:00:00', '--start-at')).toThrow(
      /^--start-at: .*got "2026-12-01T09:00:00" \(it has no offset: add Z or e.g. \+01:00\)$/,
    );
    expect(() => parseScheduleTime('tomorrow', '--end-at')).toThrow(/^--end-at: must be an ISO time with a zone/);
    expect(() => parseScheduleTime('2026-13-45T09:00:00Z', '--end-at')).toThrow(/^--end-at: "2026-13-45T09:00:00Z" is not a real date and time$/);
  });

  it('the end must come after the start', () => {
    expect(scheduleProblems({ startAt: '2026-12-01T10:00:00+01:00', endAt: '2026-12-01T09:00:00Z' }, { startAt: '--start-at', endAt: '--end-at' })).toEqual([
      '--end-at: must be after --start-at (2026-12-01T10:00:00+01:00), got 2026-12-01T09:00:00Z',
    ]);
  });

  it('settings check them too, naming the field', () => {
    expect(() => parseSettings({ endpoint: 'SIP/trunk/{number}', startAt: '2026-12-01 09:00' })).toThrow(/startAt: must be an ISO time with a zone/);
    expect(parseSettings({ endpoint: 'SIP/trunk/{number}', startAt: '2026-12-01T09:00:00+01:00' }).startAt).toBe('2026-12-01T09:00:00+01:00');
  });

  it('gates: before the start, open, ended (the end itself is ended)', () => {
    const s = { startAt: '2026-12-01T09:00:00+01:00', endAt: '2026-12-01T17:00:00+01:00' };
    expect(schedulePhase(s, Date.parse('2026-12-01T07:59:59Z'))).toEqual({ kind: 'before', waitMs: 1000, startAt: s.startAt });
    expect(schedulePhase(s, Date.parse('2026-12-01T08:00:00Z'))).toEqual({ kind: 'open' });
    expect(schedulePhase(s, Date.parse('2026-12-01T16:00:00Z'))).toEqual({ kind: 'ended', endAt: s.endAt });
    expect(schedulePhase({}, 0)).toEqual({ kind: 'open' });
  });
});
