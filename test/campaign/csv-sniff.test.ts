import { describe, expect, it } from 'vitest';
import { sniffDelimiter } from '../../src/campaign/import/csv-sniff.js';

describe('sniffDelimiter', () => {
  const cases: Array<[string, string, string]> = [
    ['commas', 'number,name,city\n1,2,3\n', ','],
    ['semicolons', 'number;name;city\n1;2;3\n', ';'],
    ['tabs', 'number\tname\tcity\n1\t2\t3\n', '\t'],
    ['one column', 'number\n123\n', ','],
    ['a delimiter inside quotes does not count', '"a;b;c",number\n1,2\n', ','],
    ['consistency with the next line beats frequency', 'Name, first, middle;Phone\nAnn;123\n', ';'],
    ['blank lines before the header are skipped', '\r\n\r\nnumber;name\r\n1;2', ';'],
    ['a quoted header cell spanning lines', '"long\nname";number\n1;2\n', ';'],
  ];
  for (const [name, text, delimiter] of cases) {
    it(name, () => expect(sniffDelimiter(text, true).delimiter).toBe(delimiter));
  }

  it('is not complete until the line after the header has been seen', () => {
    expect(sniffDelimiter('number;na').complete).toBe(false);
    expect(sniffDelimiter('number;name\n').complete).toBe(false);
    expect(sniffDelimiter('number;name\n1;2\n')).toEqual({ delimiter: ';', complete: true, sepLine: false });
    expect(sniffDelimiter('number;name\n', true)).toEqual({ delimiter: ';', complete: true, sepLine: false });
  });

  it("takes Excel's sep= line at its word", () => {
    expect(sniffDelimiter('sep=;\nnumber,name;x\n')).toEqual({ delimiter: ';', complete: true, sepLine: true });
    expect(sniffDelimiter('SEP=\t\r\n')).toEqual({ delimiter: '\t', complete: true, sepLine: true });
    expect(sniffDelimiter('sep=|\nnumber\n1\n').sepLine).toBe(false);
  });
});
