import { describe, expect, it } from 'vitest';
import { chooseCallerId } from '../../src/campaign/policy/caller-id.js';
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
