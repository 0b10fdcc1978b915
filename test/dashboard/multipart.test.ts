import { describe, expect, it } from 'vitest';
import { boundaryOf, MultipartReader, type PartInfo } from '../../src/dashboard/multipart.js';

/** Feeds a body through the reader in chunks of `size` bytes and collects the parts. */
async function parse(body: Buffer, boundary: string, size: number): Promise<Array<PartInfo & { text: string }>> {
  const parts: Array<PartInfo & { text: string }> = [];
  const reader = new MultipartReader(boundary, (info) => {
    const part = { ...info, text: '' };
    parts.push(part);
    return { data: (c) => void (part.text += c.toString('utf8')), end: () => undefined };
  });
  for (let i = 0; i < body.length; i += size) await reader.write(body.subarray(i, i + size));
  reader.finish();
  return parts;
}

// What Chromium sends: a mixed-case boundary, CRLF everywhere, a preamble-free body.
const BOUNDARY = '----WebKitFormBoundaryAbC9xYz';
const BODY = Buffer.from(
  [
    `--${BOUNDARY}`,
    'Content-Disposition: form-data; name="options"',
    '',
    '{"settings":{"endpoint":"SIP/trunk/{number}"}}',
    `--${BOUNDARY}`,
    'Content-Disposition: form-data; name="file"; filename="my \\"list\\".csv"',
    'Content-Type: text/csv',
    '',
    'number\r\n4930100\r\n--not-a-boundary\r\n',
    `--${BOUNDARY}--`,
    '',
  ].join('\r\n'),
);

describe('MultipartReader', () => {
  it('reads the boundary as sent (case-sensitive), quoted or not', () => {
    expect(boundaryOf(`multipart/form-data; boundary=${BOUNDARY}`)).toBe(BOUNDARY);
    expect(boundaryOf('multipart/form-data; boundary="a b"')).toBe('a b');
    expect(() => boundaryOf('multipart/form-data')).toThrow(/boundary/);
  });

  it.each([1, 2, 7, 40, 4096])('splits parts the same whatever the chunk size (%i bytes)', async (size) => {
    const parts = await parse(BODY, BOUNDARY, size);
    expect(parts).toEqual([
      { name: 'options', contentType: '', text: '{"settings":{"endpoint":"SIP/trunk/{number}"}}' },
      { name: 'file', filename: 'my "list".csv', contentType: 'text/csv', text: 'number\r\n4930100\r\n--not-a-boundary\r\n' },
    ]);
  });

  it('refuses a truncated body and a body with another boundary', async () => {
    await expect(parse(BODY.subarray(0, BODY.length - 10), BOUNDARY, 64)).rejects.toThrow(/ended before its closing boundary/);
    await expect(parse(BODY, BOUNDARY.toLowerCase(), 64)).rejects.toThrow(/ended before its closing boundary/);
  });

  it('refuses a part without a name', async () => {
    const body = Buffer.from(`--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--\r\n`);
    await expect(parse(body, 'b', 64)).rejects.toThrow(/without a name/);
  });
});
