import { Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { readContacts } from '../../src/campaign/import/contacts.js';
import { BadArgumentError } from '../../src/errors.js';
import { CSV_EOL, REPORT_COLUMNS, csvCell, renderCsv, renderCsvHeader, renderCsvRow, reportColumns } from '../../src/report/render-csv.js';
import type { AttemptRecord } from '../../src/report/summarize.js';
import { attempt } from './attempt-fixture.js';

describe('csvCell', () => {
  const cases: Array<[unknown, string]> = [
    [null, ''],
    [undefined, ''],
    ['', ''],
    ['plain', 'plain'],
    [42, '42'],
    [12.345, '12.345'],
    [-1, '-1'], // a number cannot carry a formula: left as a number
    [Number.NaN, ''],
    [true, 'true'],
    [false, 'false'],
    ['a,b', '"a,b"'],
    ['a;b', '"a;b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['two\r\nlines', '"two\r\nlines"'],
    ['=1+1', `"'=1+1"`],
    ['=HYPERLINK("http://evil","click")', `"'=HYPERLINK(""http://evil"",""click"")"`],
    ['@SUM(A1)', `"'@SUM(A1)"`],
    ['-2+3+cmd', `"'-2+3+cmd"`],
    ['+4930123456', `"'+4930123456"`], // the documented tradeoff: phone numbers too
    ['\tTAB', `"'\tTAB"`],
    ['\rCR', `"'\rCR"`],
    ['\u0000NUL', `"'\u0000NUL"`],
    ["'already text", "'already text"],
    [' =not first', ' =not first'],
    ['a=b', 'a=b'],
    [{ a: 1 }, '"{""a"":1}"'],
  ];
  for (const [value, expected] of cases) {
    it(`${JSON.stringify(value) ?? String(value)} → ${JSON.stringify(expected)}`, () => expect(csvCell(value)).toBe(expected));
  }
});

describe('renderCsvHeader / renderCsvRow', () => {
  it("carries AMD's verdict, cause and detection time in amd_status, amd_cause, amd_ms", () => {
    const record = attempt({ disposition: 'ANSWERED', amd_status: 'MACHINE', amd_cause: 'MAXWORDS-4-3', amd_ms: 2210 });
    const [cells] = parse(renderCsvRow(reportColumns(), record));
    const at = (c: string) => cells![REPORT_COLUMNS.indexOf(c as (typeof REPORT_COLUMNS)[number])];
    expect([at('amd_status'), at('amd_cause'), at('amd_ms')]).toEqual(['MACHINE', 'MAXWORDS-4-3', '2210']);
  });

  it('renders the report columns in order', () => {
    expect(renderCsvHeader(reportColumns())).toBe(`${REPORT_COLUMNS.join(',')}\r\n`);
    expect(reportColumns(['name', 'Notes'])).toEqual([...REPORT_COLUMNS, 'var_name', 'var_Notes']);
  });

  it('renders a record', () => {
    const record = attempt({
      campaignId: 'spring-sale',
      row: 7,
      attempt: 2,
      disposition: 'NO_ANSWER',
      cause: 19,
      cause_txt: 'No answer',
      message: 'No answer (19)',
      tech_cause: 480,
      final: true,
      vars: { name: 'Ann, B.', note: '=cmd' },
    });
    const line = renderCsvRow(reportColumns(['name', 'note', 'missing']), record);
    expect(line.endsWith(CSV_EOL)).toBe(true);
    const [cells] = parse(line);
    const byColumn = Object.fromEntries(reportColumns(['name', 'note', 'missing']).map((c, i) => [c, cells![i]]));
    expect(byColumn).toEqual({
      campaign_id: 'spring-sale',
      number: "'+4930123456",
      row: '7',
      attempt: '2',
      final: 'true',
      status: record.status,
      disposition: 'NO_ANSWER',
      answered: 'false',
      cause: '19',
      cause_txt: 'No answer',
      message: 'No answer (19)',
      tech_cause: '480',
      channel_id: 'ch-7-2',
      endpoint: 'PJSIP/+4930123456@trunk',
      callerid: "'+4930999",
      created_at: '2025-06-02T10:00:00.000Z',
      answered_at: '',
      ended_at: '2025-06-02T10:00:35.000Z',
      ring_s: '5',
      talk_s: '0',
      duration: '35',
      amd_status: '',
      amd_cause: '',
      amd_ms: '',
      keys: '',
      first_key_s: '',
      flow: '',
      heard_s: '',
      message_done: '',
      opted_out: '',
      machine_message_s: '',
      recording_name: '',
      recording_asterisk: '',
      recording_format: '',
      recording_duration_s: '',
      recording_state: '',
      var_name: 'Ann, B.',
      var_note: "'=cmd",
      var_missing: '',
    });
  });

  it('refuses a column it cannot fill', () => {
    expect(() => renderCsvHeader(['number', 'secret'])).toThrow(BadArgumentError);
    expect(() => renderCsvRow(['var_'], attempt())).toThrow(/columns: "var_" is neither a report column, captured_<VAR> nor var_<name>/);
  });

  it('renders what happened after the answer, a column per captured variable', () => {
    const record = attempt({
      keys: '19',
      first_key_s: 1.5,
      flow: 'pressed',
      heard_s: 2.25,
      message_done: false,
      opted_out: false,
      captured: { SURVEY_ANSWER: '1' },
    });
    const columns = reportColumns([], ['SURVEY_ANSWER', 'QUEUESTATUS']);
    const [cells] = parse(renderCsvRow(columns, record));
    const byColumn = Object.fromEntries(columns.map((c, i) => [c, cells![i]]));
    expect(byColumn).toMatchObject({
      keys: '19',
      first_key_s: '1.5',
      flow: 'pressed',
      heard_s: '2.25',
      message_done: 'false',
      captured_SURVEY_ANSWER: '1',
      captured_QUEUESTATUS: '',
    });
    expect(renderCsvRow(['captured_constructor'], attempt({ captured: {} }))).toBe(CSV_EOL);
  });

  it('does not read inherited properties through var_ columns', () => {
    expect(renderCsvRow(['var_constructor', 'var_toString'], attempt({ vars: {} }))).toBe(`,${CSV_EOL}`);
  });
});

describe('renderCsv', () => {
  const records: AttemptRecord[] = [
    attempt({ row: 2, vars: { name: 'Zoë "Z" Müller', note: 'line 1\nline 2' } }),
    attempt({ row: 3, number: '030123456', disposition: 'ANSWERED', final: true, vars: { name: '@admin', note: '' } }),
  ];

  it('streams a header and one line per record, readable by a CSV parser', async () => {
    const lines: string[] = [];
    for await (const line of renderCsv(records, { vars: ['name', 'note'] })) lines.push(line);
    expect(lines).toHaveLength(3);
    const table = parse<Record<string, string>>(lines.join(''), { columns: true });
    expect(table.map((r) => [r.row, r.number, r.var_name, r.var_note])).toEqual([
      ['2', "'+4930123456", 'Zoë "Z" Müller', 'line 1\nline 2'],
      ['3', '030123456', "'@admin", ''],
    ]);
  });

  it('starts with a BOM when asked (for Excel)', async () => {
    const first = (await renderCsv(records, { bom: true }).next()).value;
    expect(first?.startsWith('\ufeffcampaign_id,')).toBe(true);
    const plain = (await renderCsv(records).next()).value;
    expect(plain?.startsWith('campaign_id,')).toBe(true);
  });

  it('pulls records one at a time and lets go of the source when the consumer stops', async () => {
    let produced = 0;
    let closed = false;
    async function* endless(): AsyncGenerator<AttemptRecord> {
      try {
        for (let row = 2; ; row++) {
          produced++;
          yield attempt({ row });
        }
      } finally {
        closed = true;
      }
    }
    let lines = 0;
    for await (const _line of renderCsv(endless())) if (++lines === 3) break;
    expect(produced).toBe(2);
    expect(closed).toBe(true);
  });

  it('produces a file the contacts import reads back, numbers and all', async () => {
    let csv = '';
    for await (const line of renderCsv(records, { vars: ['name'] })) csv += line;
    const numbers: string[] = [];
    for await (const item of readContacts(Readable.from([csv]))) {
      if (item.kind === 'row') numbers.push(item.row.number);
    }
    expect(numbers).toEqual(['+4930123456', '030123456']);
  });
});
