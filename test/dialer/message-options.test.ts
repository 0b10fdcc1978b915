import { describe, expect, it } from 'vitest';
import { capValue, parseCapture } from '../../src/dialer/capture.js';
import { itemBoundMs, parseMessageOptions } from '../../src/dialer/message/message-options.js';

const fails = (input: Parameters<typeof parseMessageOptions>[0]): string => {
  try {
    parseMessageOptions(input);
  } catch (err) {
    return (err as Error).message;
  }
  return 'no error';
};

describe('message options', () => {
  it('reads media, press rules, no-press and defaults', () => {
    const o = parseMessageOptions({ media: 'sound:promo,digits:123', press: ['1=sales,s,1', '9=optout', '*=replay', '#=hangup'] })!;
    expect(o.media).toEqual(['sound:promo', 'digits:123']);
    expect(o.press).toEqual({
      '1': { do: 'continue', place: { context: 'sales', extension: 's', priority: 1 } },
      '9': { do: 'optout' },
      '*': { do: 'replay' },
      '#': { do: 'hangup' },
    });
    expect([o.repeat, o.pressWaitS, o.beepWaitS, o.noPress]).toEqual([1, 5, 20, { do: 'hangup' }]);
    expect(parseMessageOptions({ media: 'sound:promo' })!.noPress).toEqual({ do: 'destination' });
    expect(parseMessageOptions({})).toBeUndefined();
  });

  it('names the flag of every bad input', () => {
    expect(fails({ media: 'http://x/y.wav' })).toMatch(/--message.*"http:\/\/x\/y.wav": a media URI starts with sound:/);
    expect(fails({ media: 'promo' })).toMatch(/--message/);
    expect(fails({ media: 'sound:promo', press: ['A=optout'] })).toMatch(/--press.*key must be one of 0-9/);
    expect(fails({ media: 'sound:promo', press: ['1=optout', '1=hangup'] })).toMatch(/--press.*key 1 is listed twice/);
    expect(fails({ media: 'sound:promo', press: ['1=dance'] })).toMatch(/--press.*CONTEXT,EXTEN,PRIO/);
    expect(fails({ media: 'sound:promo', press: ['1=sales,s'] })).toMatch(/--press/);
    expect(fails({ press: ['1=optout'] })).toMatch(/--press.*needs --message/);
    expect(fails({ media: 'sound:promo', repeat: 0 })).toMatch(/--message-repeat/);
    expect(fails({ media: 'sound:promo', noPress: 'later' })).toMatch(/--no-press/);
    expect(fails({ media: 'sound:promo', optoutMessage: 'sound:bye' })).toMatch(/--optout-message.*needs a --press KEY=optout/);
    expect(fails({ media: 'sound:a', machineMessage: 'ftp:x' })).toMatch(/--machine-message/);
    expect(fails({ media: 'number:twelve' })).toMatch(/number: takes a whole number/);
    // sscanf("%30d") reads no number from these: Asterisk would play nothing and never finish.
    expect(fails({ media: 'number:*1' })).toMatch(/--message.*number: takes a whole number/);
    expect(fails({ media: 'sound:a', itemMaxS: 0 })).toMatch(/--message-item-max.*from 0.2 to 3600/);
    expect(fails({ itemMaxS: 30 })).toMatch(/--message-item-max.*needs --message/);
  });

  it('bounds each item: sound: and recording: by --message-item-max, digits: and number: by their length', () => {
    expect(parseMessageOptions({ media: 'sound:promo' })!.itemMaxS).toBe(120);
    expect(itemBoundMs('sound:promo', 120)).toBe(120_000);
    expect(itemBoundMs('recording:promo', 45)).toBe(45_000);
    expect(itemBoundMs('digits:1234', 120)).toBe(5000 + 4 * 2000);
    expect(itemBoundMs('number:7', 120)).toBe(7000);
    expect(itemBoundMs('number:123456789', 10)).toBe(10_000);
  });
});

describe('--capture', () => {
  it('takes up to 16 dialplan variable names and names a bad one', () => {
    expect(parseCapture('SURVEY_ANSWER, QUEUESTATUS,__INHERITED')).toEqual(['SURVEY_ANSWER', 'QUEUESTATUS', '__INHERITED']);
    expect(() => parseCapture('GOOD,CDR(foo)')).toThrow(/--capture.*"CDR\(foo\)" is not a dialplan variable name/);
    expect(() => parseCapture('1ABC')).toThrow(/"1ABC"/);
    expect(() => parseCapture(Array.from({ length: 17 }, (_, i) => `V${i}`))).toThrow(/at most 16/);
  });

  it('caps values at 256 bytes on a character boundary, marked', () => {
    expect(capValue('short')).toBe('short');
    const long = capValue('é'.repeat(300));
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(256);
    expect(long.endsWith('…')).toBe(true);
    expect(capValue('x'.repeat(256))).toBe('x'.repeat(256));
  });
});
