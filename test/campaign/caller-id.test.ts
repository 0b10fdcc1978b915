import { describe, expect, it } from 'vitest';
import { chooseCallerId, digitsOf, nearest, parseCallerIdPool } from '../../src/policy/caller-id.js';
import { BadArgumentError } from '../../src/errors.js';

describe('chooseCallerId', () => {
  const pool = ['+4930100', '+4930200', '+4930300'];
  const cases: Array<[string, Parameters<typeof chooseCallerId>[0], number, string | undefined]> = [
    ['fixed wins over column and pool', { fixed: '+4930999', column: '+4930555', pool }, 4, '+4930999'],
    ['column wins over pool', { column: ' +4930555 ', pool }, 4, '+4930555'],
    ['pool by row index', { pool }, 4, '+4930200'],
    ['pool wraps', { pool }, 3, '+4930100'],
    ['blank fixed and column count as not given', { fixed: ' ', column: '', pool }, 2, '+4930300'],
    ['nothing given', {}, 7, undefined],
    ['empty pool', { pool: [] }, 7, undefined],
    ['undefined values', { fixed: undefined, column: undefined, pool: undefined }, 0, undefined],
  ];
  for (const [name, sources, row, expected] of cases) {
    it(name, () => expect(chooseCallerId(sources, row)).toBe(expected));
  }

  it('gives a row the same caller id on every attempt', () => {
    const first = chooseCallerId({ pool }, 1234);
    for (let attempt = 0; attempt < 5; attempt++) expect(chooseCallerId({ pool }, 1234)).toBe(first);
  });

  it('spreads consecutive rows evenly over the pool', () => {
    const counts = new Map<string, number>();
    for (let row = 2; row < 302; row++) {
      const id = chooseCallerId({ pool }, row)!;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    expect([...counts.values()]).toEqual([100, 100, 100]);
  });

  it.each([-1, 1.5, Number.NaN])('rejects row index %s', (row) => {
    expect(() => chooseCallerId({ pool }, row)).toThrow(BadArgumentError);
  });

  it('names an empty pool entry', () => {
    expect(() => chooseCallerId({ pool: ['+4930100', ' '] }, 1)).toThrow(/callerIdPool: entry 2 is empty/);
  });
});

describe('local presence: the pool entry nearest the callee', () => {
  // A realistic pool: New York, San Francisco, Berlin (one with a display name), Munich.
  const pool = ['+12125550100', '+12125550199', '+14155550123', '"Berlin Office" <+4930901820>', '+49895550000'];
  const pick = (callee: string, row = 2, match?: 'local' | 'rotate') => chooseCallerId({ pool, match }, row, callee);

  it('a Manhattan callee gets a 212 number, rotating between the two by row', () => {
    expect(pick('+12125557777', 2)).toBe('+12125550100');
    expect(pick('+12125557777', 3)).toBe('+12125550199');
  });

  it('a San Francisco callee gets the 415 number whatever its row', () => {
    for (const row of [2, 3, 4, 5]) expect(pick('+14155550999', row)).toBe('+14155550123');
  });

  it('a Berlin callee gets the Berlin entry as written (display name kept)', () => {
    expect(pick('+493012345678')).toBe('"Berlin Office" <+4930901820>');
  });

  it('a German callee outside Berlin and Munich gets a German number (country code shared)', () => {
    expect(['"Berlin Office" <+4930901820>', '+49895550000']).toContain(pick('+4940123456'));
    expect(pick('+4989123456')).toBe('+49895550000');
  });

  it('falls back to rotation over the whole pool when nothing is shared', () => {
    const seen = new Set([2, 3, 4, 5, 6].map((row) => pick('+447700900123', row)));
    expect(seen.size).toBe(5);
  });

  it('a US callee in another area code rotates over the US entries only', () => {
    const seen = new Set([2, 3, 4, 5].map((row) => pick('+13125550000', row)));
    expect([...seen].sort()).toEqual(['+12125550100', '+12125550199', '+14155550123']);
  });

  it('the same row and number get the same caller id on every attempt', () => {
    expect(pick('+12125557777', 9)).toBe(pick('+12125557777', 9));
  });

  it('rotate ignores the callee', () => {
    expect(pick('+14155550999', 2, 'rotate')).toBe(pool[2]);
  });

  it('nearest compares digits only', () => {
    expect(nearest(['+1 (212) 555-0100', '+1 415 555 0123'], '+12125550000')).toEqual(['+1 (212) 555-0100']);
    expect(digitsOf('"Sales" <+1 212 555 0100>')).toBe('12125550100');
  });
});

describe('parseCallerIdPool', () => {
  it('reads one per line, skipping blanks, comments and a header', () => {
    expect(parseCallerIdPool('callerid\n+12125550100\n\n# SF\n+14155550123,San Francisco\n"Berlin" <+4930901820>\n', 'pool.txt')).toEqual([
      '+12125550100',
      '+14155550123',
      '"Berlin" <+4930901820>',
    ]);
  });

  it('names the file and the line of an entry without digits', () => {
    expect(() => parseCallerIdPool('+12125550100\nsales\n', '--callerid-pool pool.txt')).toThrow(/--callerid-pool pool.txt: line 2: "sales" holds no digits/);
    expect(() => parseCallerIdPool('# nothing\n', 'pool.txt')).toThrow(/pool.txt: holds no caller ids/);
  });
});
