import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CsvFormatError, dedupeKey, readContacts, readContactsInBatches, type ContactItem, type ContactRow } from '../../src/campaign/import/contacts.js';
import { BadArgumentError } from '../../src/errors.js';

/** Feeds `data` in pieces of `chunkSize` bytes (0 = one piece), so every case also runs across chunk borders. */
async function* chunked(data: string | Buffer, chunkSize: number): AsyncGenerator<Buffer> {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  if (chunkSize === 0) {
    yield bytes;
    return;
  }
  for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, i + chunkSize);
}

async function read(data: string | Buffer, chunkSize = 0, options = {}): Promise<ContactItem[]> {
  const items: ContactItem[] = [];
  for await (const item of readContacts(chunked(data, chunkSize), options)) items.push(item);
  return items;
}

async function readError(data: string | Buffer, chunkSize = 0, options = {}): Promise<CsvFormatError> {
  try {
    await read(data, chunkSize, options);
  } catch (error) {
    expect(error).toBeInstanceOf(CsvFormatError);
    return error as CsvFormatError;
  }
  throw new Error('expected a CsvFormatError');
}

const rowsOf = (items: ContactItem[]): ContactRow[] => items.flatMap((i) => (i.kind === 'row' ? [i.row] : []));
const errorsOf = (items: ContactItem[]) => items.flatMap((i) => (i.kind === 'error' ? [i.error] : []));

/** Whole pieces, single bytes (splits every UTF-8 sequence and CRLF), and an odd size. */
const CHUNK_SIZES = [0, 1, 7];

describe('readContacts: whole-file errors', () => {
  const cases: Array<{ name: string; data: string | Buffer; message: RegExp; line?: number }> = [
    { name: 'empty file', data: '', message: /^the file is empty$/ },
    { name: 'only a BOM', data: '\ufeff', message: /^the file is empty$/ },
    { name: 'only blank lines', data: '\n\r\n   \n\t\n', message: /^the file is empty$/ },
    { name: 'header only', data: 'number,name\n', message: /^CSV has a header but no rows$/ },
    { name: 'header then blank lines', data: 'number,name\r\n\r\n,\r\n', message: /^CSV has a header but no rows$/ },
    {
      name: 'no number column',
      data: 'tel,name,city\n123,Ann,Berlin\n',
      message: /^line 1: no "number" or "phone" column; the header has "tel", "name", "city"$/,
      line: 1,
    },
    { name: 'number column twice', data: 'number,NUMBER\n1,2\n', message: /column "number" appears twice \(columns 1 and 2\)/, line: 1 },
    { name: 'unclosed quote', data: 'number,name\n123,Ann\n456,"Bob\n789,Cy\n', message: /^line 3: unclosed quote/, line: 3 },
    {
      name: 'text after a closing quote',
      data: 'number,name\n123,Ann\n\n456,"Bob"by\n',
      message: /^line 4: a closing quote is followed by more text/,
      line: 4,
    },
    { name: 'quote inside an unquoted field', data: 'number,name\n123,Bo"b\n', message: /^line 2: a quote in the middle of an unquoted field/, line: 2 },
    {
      name: 'binary file (PNG)',
      data: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]),
      message: /looks like a binary file, not CSV/,
    },
    {
      name: 'an Excel workbook',
      data: Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0x06, 0]),
      message: /looks like a binary file, not CSV \(a ZIP archive, e\.g\. an Excel \.xlsx workbook/,
    },
    { name: 'control characters, no NUL', data: Buffer.from('\x01\x02\x03\x04\x05\x06\x07\x08abc\x0e\x0f\x10'), message: /looks like a binary file/ },
    {
      name: 'a NUL byte on line 4 (past the start)',
      data: `number\n${'123\n'.repeat(3000)}78\u00009\n`,
      message: /binary file, not CSV \(line 3002 has a NUL byte\)/,
      line: 3002,
    },
    { name: 'a NUL byte near the start', data: 'number\n123\n456\n78\u00009\n', message: /^looks like a binary file, not CSV$/ },
    {
      name: 'Latin-1 text',
      data: Buffer.from('number,name\n123,Ann\n456,Jürgen Müller\n', 'latin1'),
      message: /^the file is not UTF-8 \(line 3\); save it as UTF-8 — it looks like Latin-1\/Windows-1252$/,
      line: 3,
    },
    { name: 'UTF-16 with BOM', data: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('number\n123\n', 'utf16le')]), message: /UTF-16/ },
    { name: 'UTF-16 without BOM', data: Buffer.from('number,name\n123,Ann\n', 'utf16le'), message: /UTF-16/ },
    {
      name: 'UTF-8 cut off at the end',
      data: Buffer.concat([Buffer.from('number,name\n123,J'), Buffer.from([0xc3])]),
      message: /not UTF-8 \(line 2\)/,
      line: 2,
    },
    { name: 'a 10 MB line', data: `number,name\n123,${'x'.repeat(10 * 1024 * 1024)}\n`, message: /^line 2 is longer than 65536 bytes$/, line: 2 },
  ];

  for (const { name, data, message, line } of cases) {
    for (const chunkSize of name === 'a 10 MB line' ? [0, 65_536] : CHUNK_SIZES) {
      it(`${name} (chunks of ${chunkSize || 'all'})`, async () => {
        const error = await readError(data, chunkSize);
        expect(error.code).toBe('BAD_CSV');
        expect(error.name).toBe('CsvFormatError');
        expect(error.message).toMatch(message);
        expect(error.line).toBe(line);
      });
    }
  }

  it('fails on a long line without reading the rest of the file', async () => {
    let pulled = 0;
    async function* source(): AsyncGenerator<Buffer> {
      yield Buffer.from('number,name\n123,');
      for (let i = 0; i < 10_000; i++) {
        pulled++;
        yield Buffer.alloc(64 * 1024, 'x');
      }
    }
    await expect(read2(source())).rejects.toThrow(/line 2 is longer than 65536 bytes/);
    expect(pulled).toBeLessThan(5);
  });

  it('fails on an unclosed quote early instead of swallowing the rest of a big file', async () => {
    let pulled = 0;
    async function* source(): AsyncGenerator<Buffer> {
      yield Buffer.from('number,name\n123,"Ann\n');
      for (let i = 0; i < 100_000; i++) {
        pulled++;
        yield Buffer.from('456,Bob\n'.repeat(100));
      }
    }
    await expect(read2(source())).rejects.toThrow(/^line 2: the record starting here runs past the size limit; probably an unclosed quote$/);
    expect(pulled).toBeLessThan(200);
  });

  it('honours maxLineBytes', async () => {
    const error = await readError('number,name\n123,abcdefghij\n', 0, { maxLineBytes: 12 });
    expect(error.message).toBe('line 2 is longer than 12 bytes');
  });

  it('rejects a bad maxLineBytes with BadArgumentError', async () => {
    await expect(read('number\n123\n', 0, { maxLineBytes: 0 })).rejects.toBeInstanceOf(BadArgumentError);
    await expect(read('number\n123\n', 0, { maxLineBytes: 1.5 })).rejects.toThrow(/maxLineBytes: must be a positive integer/);
  });
});

async function read2(source: AsyncIterable<Buffer>): Promise<ContactItem[]> {
  const items: ContactItem[] = [];
  for await (const item of readContacts(source)) items.push(item);
  return items;
}

describe('readContacts: rows', () => {
  for (const chunkSize of CHUNK_SIZES) {
    it(`reads known columns, vars and line numbers (chunks of ${chunkSize || 'all'})`, async () => {
      const csv = [
        'Number,Name,CallerID,context,Extension,priority,timeout,TimeZone,Notes',
        '+49 (30) 123-45.67,Ann,"""Sales"" <100>",outbound,s,2,45,europe/berlin,"line one',
        'line two"',
        '',
        '030/1234567,Bob, , ,,,,,',
        '',
      ].join('\n');
      const items = await read(csv, chunkSize);
      expect(items).toEqual([
        {
          kind: 'row',
          row: {
            line: 2,
            number: '+4930123 4567'.replace(' ', ''),
            callerid: '"Sales" <100>',
            context: 'outbound',
            extension: 's',
            priority: 2,
            timeout: 45,
            timezone: 'Europe/Berlin',
            vars: { Name: 'Ann', Notes: 'line one\nline two' },
          },
        },
        { kind: 'row', row: { line: 5, number: '0301234567', vars: { Name: 'Bob', Notes: '' } } },
      ]);
    });
  }

  const delimiters: Array<{ name: string; csv: string }> = [
    { name: 'semicolon', csv: 'name;number;city\nAnn;+4930123;Berlin\n' },
    { name: 'tab', csv: 'name\tnumber\tcity\nAnn\t+4930123\tBerlin\n' },
    { name: 'comma with a BOM and CRLF', csv: '\ufeffname,number,city\r\nAnn,+4930123,Berlin\r\n' },
    { name: 'semicolon although the header has a comma', csv: 'Name, first;number;city\nAnn;+4930123;Berlin\n' },
    { name: 'quoted header with the other delimiter inside', csv: '"name;x",number,city\r\nAnn,+4930123,Berlin' },
    { name: "Excel's sep= line", csv: 'sep=;\r\nname;number;city, state\r\nAnn;+4930123;Berlin' },
  ];
  for (const { name, csv } of delimiters) {
    it(`detects the delimiter: ${name}`, async () => {
      const rows = rowsOf(await read(csv, 3));
      expect(rows).toHaveLength(1);
      expect(rows[0]?.number).toBe('+4930123');
      expect(Object.values(rows[0]?.vars ?? {})).toEqual(['Ann', 'Berlin']);
    });
  }

  it('keeps line numbers right after quoted fields with line breaks, CRLF included', async () => {
    const csv = 'number,note\r\n111,"a\r\nb\r\nc"\r\n\r\n222,"x\ny"\n333,plain\n';
    const rows = rowsOf(await read(csv, 1));
    expect(rows.map((r) => [r.line, r.number])).toEqual([
      [2, '111'],
      [6, '222'],
      [8, '333'],
    ]);
    expect(rows[0]?.vars.note).toBe('a\r\nb\r\nc');
  });

  it('counts lines by how they look with mixed line endings', async () => {
    const rows = rowsOf(await read('number\r\n111\n222\r333\r\n\n444'));
    expect(rows.map((r) => [r.line, r.number])).toEqual([
      [2, '111'],
      [3, '222'],
      [4, '333'],
      [6, '444'],
    ]);
  });

  it('skips blank lines, whitespace-only lines and lines of empty cells', async () => {
    const items = await read('\n\nnumber,name\n\n   \n,\n123,Ann\n');
    expect(items).toEqual([{ kind: 'row', row: { line: 7, number: '123', vars: { name: 'Ann' } } }]);
  });

  it('keeps cells that start with =, +, -, @ as data', async () => {
    const csv = 'number,a,b,c,d\n123,"=HYPERLINK(""http://x"")",@SUM(A1),+1 bonus,-5\n';
    const [row] = rowsOf(await read(csv));
    expect(row?.vars).toEqual({ a: '=HYPERLINK("http://x")', b: '@SUM(A1)', c: '+1 bonus', d: '-5' });
  });

  it('yields 1,000 identical numbers, all with the same dedupe key', async () => {
    const csv = `number\n${'+49 30 1234567\n'.repeat(1000)}`;
    const rows = rowsOf(await read(csv));
    expect(rows).toHaveLength(1000);
    expect(new Set(rows.map((r) => dedupeKey(r.number))).size).toBe(1);
    expect(rows[999]?.line).toBe(1001);
  });

  it('reports a bad row at line 3,012 of a generated file with that line, and goes on', async () => {
    const lines = ['number,name'];
    for (let i = 2; i <= 5000; i++) lines.push(i === 3012 ? 'not-a-number,Bad' : `+4930${String(i).padStart(6, '0')},n${i}`);
    const items = await read(lines.join('\n'), 4096);
    expect(items).toHaveLength(4999);
    expect(errorsOf(items)).toEqual([{ line: 3012, reason: 'number "not-a-number" has letters' }]);
    expect(rowsOf(items).at(-1)?.line).toBe(5000);
  });

  it('prefers a "number" column to a "phone" column, which then becomes a variable', async () => {
    const [row] = rowsOf(await read(' PHONE ,Number\n111,222\n'));
    expect(row).toMatchObject({ number: '222', vars: { PHONE: '111' } });
  });

  it('accepts a "phone" column (any case, trimmed)', async () => {
    const [row] = rowsOf(await read(' Phone ;x\n 0301234 ;y\n'));
    expect(row?.number).toBe('0301234');
  });

  it('makes header names safe for channel variables', async () => {
    const csv = 'number,First Name,_secret,Müller-Lüdenscheid,e-mail,name,Name,,  \n1234,a,b,c,d,e,f,g,h\n';
    const [row] = rowsOf(await read(csv));
    expect(row?.vars).toEqual({
      First_Name: 'a',
      secret: 'b',
      Muller_Ludenscheid: 'c',
      e_mail: 'd',
      name: 'e',
      Name_2: 'f',
      column_8: 'g',
      column_9: 'h',
    });
  });

  it('reads from a file stream, whatever its chunk size', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'contacts-'));
    try {
      const file = join(dir, 'c.csv');
      await writeFile(file, '\ufeffnumber;name\r\n+4930111;Jürgen\r\n+4930222;Zoë\r\n');
      const rows = rowsOf(await collect(readContacts(createReadStream(file, { highWaterMark: 5 }))));
      expect(rows.map((r) => r.vars.name)).toEqual(['Jürgen', 'Zoë']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('counts the sep= line as line 1', async () => {
    const [row] = rowsOf(await read('sep=,\nnumber\n123\n'));
    expect(row?.line).toBe(3);
  });

  it('passes on an error of the input stream', async () => {
    const missing = createReadStream(join(tmpdir(), 'no-such-dir-for-contacts', 'x.csv'));
    await expect(collect(readContacts(missing))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('accepts string chunks', async () => {
    const rows = rowsOf(await collect(readContacts(Readable.from(['number\n', '123\n', '456']))));
    expect(rows.map((r) => r.number)).toEqual(['123', '456']);
  });

  it('stops reading its input when the consumer stops early', async () => {
    const input = Readable.from(['number\n', ...Array.from({ length: 1000 }, (_, i) => `${1000 + i}\n`)]);
    for await (const item of readContacts(input)) {
      expect(item.kind).toBe('row');
      break;
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(input.destroyed).toBe(true);
  });
});

describe('readContacts: per-row errors', () => {
  const header = 'number,priority,timeout,timezone,name';
  const cases: Array<{ row: string; reason: string }> = [
    { row: ',1,30,UTC,a', reason: 'number is empty' },
    { row: '  ,1,30,UTC,a', reason: 'number is empty' },
    { row: '+49 30 CALL-NOW,,,,a', reason: 'number "+49 30 CALL-NOW" has letters' },
    { row: '12,,,,a', reason: 'number "12" is too short (2 digits, at least 3)' },
    { row: '123456789012345678901,,,,a', reason: 'number "123456789012345678901" is too long (21 digits, at most 20)' },
    { row: '4930#123,,,,a', reason: 'number "4930#123" has a character that is not a digit ("#")' },
    { row: '49+30123,,,,a', reason: 'number "49+30123" has a character that is not a digit ("+")' },
    { row: '4.9301234E+11,,,,a', reason: 'number "4.9301234E+11" is in scientific notation (Excel shortened it): format the column as text and export again' },
    { row: '123,0,,,a', reason: 'column 2 (priority): "0" is not a priority (a whole number from 1 to 999999)' },
    { row: '123,1.5,,,a', reason: 'column 2 (priority): "1.5" is not a priority (a whole number from 1 to 999999)' },
    { row: '123,-1,,,a', reason: 'column 2 (priority): "-1" is not a priority (a whole number from 1 to 999999)' },
    { row: '123,,0,,a', reason: 'timeout "0" is not a whole number of seconds from 1 to 600' },
    { row: '123,,601,,a', reason: 'timeout "601" is not a whole number of seconds from 1 to 600' },
    { row: '123,,30s,,a', reason: 'timeout "30s" is not a whole number of seconds from 1 to 600' },
    { row: '123,,,Mars/Olympus,a', reason: 'timezone "Mars/Olympus" is not an IANA time zone (e.g. Europe/Berlin)' },
    { row: '123,,,+01:00,a', reason: 'timezone "+01:00" is not an IANA time zone (e.g. Europe/Berlin)' },
    { row: '123,1,30', reason: 'expected 5 columns, found 3' },
    { row: '123,1,30,UTC,a,extra', reason: 'expected 5 columns, found 6' },
    {
      row: 'abc,0,9999,Nowhere,a',
      reason:
        'number "abc" has letters; column 2 (priority): "0" is not a priority (a whole number from 1 to 999999); timeout "9999" is not a whole number of seconds from 1 to 600; timezone "Nowhere" is not an IANA time zone (e.g. Europe/Berlin)',
    },
  ];
  for (const { row, reason } of cases) {
    it(`${row} → ${reason}`, async () => {
      const items = await read(`${header}\n111,,,,ok\n${row}\n222,,,,ok\n`);
      expect(items.map((i) => i.kind)).toEqual(['row', 'error', 'row']);
      expect(errorsOf(items)).toEqual([{ line: 3, reason }]);
    });
  }

  it('accepts extra cells that are empty (a trailing delimiter)', async () => {
    const rows = rowsOf(await read('number,name\n123,Ann,,\n'));
    expect(rows).toEqual([{ line: 2, number: '123', vars: { name: 'Ann' } }]);
  });

  it('accepts an apostrophe before the number, as our own report export writes it', async () => {
    const rows = rowsOf(await read("number\n'+4930123\n"));
    expect(rows[0]?.number).toBe('+4930123');
  });
});

describe('readContactsInBatches', () => {
  it('groups items in file order', async () => {
    const csv = `number\n${Array.from({ length: 2500 }, (_, i) => (i === 1500 ? 'x' : String(100_000 + i))).join('\n')}`;
    const batches: ContactItem[][] = [];
    for await (const batch of readContactsInBatches(chunked(csv, 999))) batches.push(batch);
    expect(batches.map((b) => b.length)).toEqual([1000, 1000, 500]);
    const flat = batches.flat();
    expect(flat[1500]).toEqual({ kind: 'error', error: { line: 1502, reason: 'number "x" has letters' } });
    expect(flat.map((i) => (i.kind === 'row' ? i.row.line : i.error.line))).toEqual(Array.from({ length: 2500 }, (_, i) => i + 2));
  });

  it('takes a batch size', async () => {
    const sizes: number[] = [];
    for await (const batch of readContactsInBatches(chunked('number\n111\n222\n333\n', 0), { batchSize: 2 })) sizes.push(batch.length);
    expect(sizes).toEqual([2, 1]);
  });

  it('rejects a bad batch size', async () => {
    await expect(collect(readContactsInBatches(chunked('number\n111\n', 0), { batchSize: 0 }))).rejects.toThrow(/batchSize: must be a positive integer/);
  });

  it('passes whole-file errors through', async () => {
    await expect(collect(readContactsInBatches(chunked('number\n', 0)))).rejects.toThrow(CsvFormatError);
  });
});

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}
