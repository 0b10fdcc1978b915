import { describe, expect, it } from 'vitest';
import { recordFromFlags } from '../../src/cli/record-flags.js';
import { BadArgumentError } from '../../src/errors.js';

const refusal = (flags: Record<string, unknown>): BadArgumentError => {
  try {
    recordFromFlags(flags);
  } catch (err) {
    if (err instanceof BadArgumentError) return err;
    throw err;
  }
  throw new Error(`accepted: ${JSON.stringify(flags)}`);
};

describe('recording flags', () => {
  it('--record alone records from the answer in wav; "all" from the originate', () => {
    expect(recordFromFlags({ record: true, recordFormat: 'wav' })).toEqual({ mode: 'answered', format: 'wav' });
    expect(recordFromFlags({ record: 'all', recordFormat: 'gsm' })).toEqual({ mode: 'all', format: 'gsm' });
    expect(recordFromFlags({ recordFormat: 'wav' })).toBeUndefined();
  });

  it('names the flag that is wrong', () => {
    expect(refusal({ record: 'sometimes', recordFormat: 'wav' }).message).toMatch(/--record: must be answered or all/);
    expect(refusal({ record: true, recordFormat: 'mp3 x' }).message).toMatch(/--record-format: must be a format name/);
    expect(refusal({ recordFormat: 'gsm' }).message).toMatch(/--record-format.*needs --record/);
  });

  it('--record-notice takes a media URI, and needs --record', () => {
    expect(recordFromFlags({ record: true, recordFormat: 'wav', recordNotice: 'sound:recording-notice' })).toEqual({
      mode: 'answered',
      format: 'wav',
      notice: 'sound:recording-notice',
    });
    expect(refusal({ record: true, recordFormat: 'wav', recordNotice: 'http://x/y.wav' }).message).toMatch(/^--record-notice: must be a media URI/);
    expect(refusal({ recordFormat: 'wav', recordNotice: 'sound:recording-notice' }).message).toMatch(/--record-notice.*needs --record/);
  });
});
