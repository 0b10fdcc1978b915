import { checkRecordOptions, type RecordOptions } from '../dialer/recording/record-options.js';

/**
 * A campaign's recording setting (`record`): how its calls are recorded (as `dial --record` does) and how long the
 * files are kept on Asterisk. Each worker adds its own Asterisk's name when it places a call.
 */
export interface CampaignRecording extends Omit<RecordOptions, 'asterisk'> {
  /**
   * Recordings of calls that ended more than this many days ago are deleted from Asterisk by the hourly retention
   * sweep (`--record-keep-days`). @defaultValue none: kept until the campaign is deleted
   */
  keepDays?: number;
}

/** The setting keys recording adds; flat keys are the CLI's and the HTTP API's spelling, `record` an object when stored. */
export const RECORD_SETTING_KEYS = ['record', 'recordFormat', 'recordNotice', 'recordKeepDays'] as const;

/**
 * Reads `record` (true, `answered`, `all`, or the stored object) with `recordFormat`, `recordNotice` and
 * `recordKeepDays` beside it. Every problem names its setting; `undefined` when recording is off.
 */
export function parseRecordSetting(o: Record<string, unknown>, problems: string[]): CampaignRecording | undefined {
  const raw = o.record;
  const off = raw === undefined || raw === null || raw === false;
  if (off) {
    for (const k of RECORD_SETTING_KEYS.slice(1)) if (o[k] !== undefined && o[k] !== null) problems.push(`${k}: needs record`);
    return undefined;
  }
  const obj = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const mode = raw === true ? 'answered' : typeof raw === 'string' ? raw : obj.mode;
  const checked = checkRecordOptions({ mode, format: o.recordFormat ?? obj.format, notice: o.recordNotice ?? obj.notice }, '', problems, 'record');
  const keep = o.recordKeepDays ?? obj.keepDays;
  let keepDays: number | undefined;
  if (keep !== undefined && keep !== null && keep !== '') {
    const n = typeof keep === 'string' ? Number(keep) : keep;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 36_500)
      problems.push(`recordKeepDays: must be a whole number of days from 1 to 36500, got ${JSON.stringify(keep)}`);
    else keepDays = n;
  }
  if (!checked) return undefined;
  const { asterisk: _none, ...rec } = checked;
  return { ...rec, ...(keepDays !== undefined ? { keepDays } : {}) };
}
