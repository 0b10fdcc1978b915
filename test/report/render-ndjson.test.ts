import { describe, expect, it } from 'vitest';
import { renderJson, renderNdjson } from '../../src/report/render-ndjson.js';
import { summarize } from '../../src/report/summarize.js';
import { attempt } from './attempt-fixture.js';

const records = [attempt({ row: 2, vars: { note: '=cmd' } }), attempt({ row: 3, disposition: 'ANSWERED', final: true })];

async function text(source: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const chunk of source) out += chunk;
  return out;
}

describe('renderNdjson', () => {
  it('writes one JSON object per line, unescaped', async () => {
    const out = await text(renderNdjson(records));
    const lines = out.split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines.slice(0, -1).map((l) => JSON.parse(l) as unknown)).toEqual(records);
  });

  it('writes nothing for no records', async () => {
    expect(await text(renderNdjson([]))).toBe('');
  });
});

describe('renderJson', () => {
  it('writes one document with the summary first', async () => {
    const summary = summarize(records);
    const out = await text(renderJson(records, summary));
    expect(out.startsWith('{"summary":')).toBe(true);
    expect(JSON.parse(out)).toEqual({ summary, records });
  });

  it('is valid JSON without records or summary', async () => {
    expect(JSON.parse(await text(renderJson([])))).toEqual({ records: [] });
  });
});
