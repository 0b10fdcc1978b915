import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readContacts, type ContactItem } from '../../src/campaign/import/contacts.js';
import { placeholderColumns, placeholderValueProblem } from '../../src/policy/endpoint-placeholders.js';
import { DEFAULT_MAX_CHANNEL_VARS, parseSettings, renderEndpoint } from '../../src/policy/campaign-settings.js';
import { endpointShapeProblem } from '../../src/dialer/endpoint-shape.js';
import { BadArgumentError } from '../../src/errors.js';

async function read(csv: string, options: Parameters<typeof readContacts>[1] = {}): Promise<ContactItem[]> {
  const items: ContactItem[] = [];
  for await (const item of readContacts(Readable.from([Buffer.from(csv)]), options)) items.push(item);
  return items;
}

describe('endpoint shape: any technology, TECH/resource only', () => {
  it.each([
    'AudioSocket/127.0.0.1:9092/5f1c2a4e-8b0d-4c1e-9a7f-3d2b1c0e9f87',
    'MulticastRTP/basic/239.0.0.1:5004',
    'Dongle/dongle0/+4930123456',
    'chan_x-2/a',
    'PJSIP/{number}@{trunk}',
  ])('%s is well shaped', (endpoint) => {
    expect(endpointShapeProblem(endpoint)).toBeUndefined();
  });

  it.each([
    ['noslash', /must look like TECH\/resource/],
    ['PJSIP/', /must look like TECH\/resource/],
    ['/1001', /must look like TECH\/resource/],
    ['PJ SIP/1001', /technology "PJ SIP" may hold only letters, digits, _ and -/],
    ['{tech}/1001', /technology "\{tech\}"/],
    ['PJSIP/1001 @trunk', /resource after "PJSIP\/" must not contain whitespace or control characters/],
    ['PJSIP/1001\n', /must not contain whitespace or control characters, got "PJSIP\/1001\\n"/],
    ['PJSIP/10\u200b01', /must not contain whitespace or control characters/],
  ])('%j is refused: %s', (endpoint, message) => {
    expect(endpointShapeProblem(endpoint)).toMatch(message);
  });

  it('campaign settings take any well-shaped technology and name a bad shape', () => {
    expect(parseSettings({ endpoint: 'Dongle/dongle0/{number}' }).endpoint).toBe('Dongle/dongle0/{number}');
    expect(parseSettings({ endpoint: 'AudioSocket/127.0.0.1:9092/{id}' }).endpoint).toBe('AudioSocket/127.0.0.1:9092/{id}');
    expect(() => parseSettings({ endpoint: 'PJSIP/{number} @trunk' })).toThrow(/endpoint: the resource after "PJSIP\/" must not contain whitespace/);
  });
});

describe('placeholder values: only what cannot change the destination', () => {
  it('finds the columns a template uses, number left out', () => {
    expect(placeholderColumns('PJSIP/{number}@{trunk}')).toEqual(['trunk']);
    expect(placeholderColumns('SIP/{trunk}/{prefix}{number}/{trunk}')).toEqual(['trunk', 'prefix']);
  });

  it.each(['pstn-1', 'A.b_c+9', '+4930123'])('%s is safe', (v) => expect(placeholderValueProblem(v)).toBeUndefined());

  it.each([
    ['evil@10.0.0.1:5060', '(found "@" ":")'],
    ['a/b', '(found "/")'],
    ['a&PJSIP/x', '(found "&" "/")'],
    ['pstn 1', '(found a space)'],
    ['x\u0000', '(found U+0000)'],
  ])('%j is refused %s', (v, found) => {
    expect(placeholderValueProblem(v)).toBe(`${JSON.stringify(v)} may hold only letters, digits and _ . + - ${found}`);
  });

  it('an empty value is refused', () => expect(placeholderValueProblem('')).toBe('is empty'));
});

describe('renderEndpoint: defense for job data read back from Redis', () => {
  it('renders safe values', () => {
    expect(renderEndpoint('PJSIP/{number}@{trunk}', '+4930123', { trunk: 'pstn-1', note: 'free text, @ and / allowed' })).toBe('PJSIP/+4930123@pstn-1');
  });

  it.each([
    [
      { trunk: 'evil@10.0.0.1:5060' },
      '+4930123',
      'endpoint: placeholder {trunk}: "evil@10.0.0.1:5060" may hold only letters, digits and _ . + - (found "@" ":")',
    ],
    [{ trunk: 'a/b' }, '+4930123', 'endpoint: placeholder {trunk}: "a/b" may hold only letters, digits and _ . + - (found "/")'],
    [{ trunk: 'pstn-1' }, '123@evil', 'endpoint: placeholder {number}: "123@evil" may hold only letters, digits and _ . + - (found "@")'],
    [{}, '+4930123', 'endpoint: placeholder {trunk} has no column of that name'],
  ])('%j with number %s throws a BadArgumentError naming the placeholder', (vars, number, message) => {
    let error: unknown;
    try {
      renderEndpoint('PJSIP/{number}@{trunk}', number, vars);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BadArgumentError);
    expect((error as Error).message).toBe(message);
  });
});

describe('readContacts: placeholder columns and the channel variable cap', () => {
  const csv = ['number,trunk,note', '+4930111,pstn-1,free @ text/here', '+4930112,evil@10.0.0.1:5060,x', '+4930113,a/b,x', 'nope,a b,x'].join('\n');

  it('rejects unsafe placeholder cells naming line and column; other columns stay free text', async () => {
    const items = await read(csv, { placeholderColumns: ['Trunk'] });
    expect(items[0]).toMatchObject({ kind: 'row', row: { line: 2, vars: { trunk: 'pstn-1', note: 'free @ text/here' } } });
    expect(items.slice(1).map((i) => (i.kind === 'error' ? i.error : i))).toEqual([
      { line: 3, reason: 'column 2 (trunk, used as {trunk} in the endpoint): "evil@10.0.0.1:5060" may hold only letters, digits and _ . + - (found "@" ":")' },
      { line: 4, reason: 'column 2 (trunk, used as {trunk} in the endpoint): "a/b" may hold only letters, digits and _ . + - (found "/")' },
      { line: 5, reason: expect.stringMatching(/^number "nope" .*; column 2 \(trunk, used as \{trunk\} in the endpoint\): "a b" .*\(found a space\)$/) },
    ]);
  });

  it('leaves every column free when the template uses none', async () => {
    const items = await read(csv);
    expect(items.filter((i) => i.kind === 'error')).toHaveLength(1); // only the bad number
  });

  const header = (extra: number) => ['number', 'callerid', 'timezone', ...Array.from({ length: extra }, (_, i) => `c${i + 1}`)].join(',');
  const row = (extra: number) => ['+4930111', '555', 'Europe/Berlin', ...Array.from({ length: extra }, () => 'x')].join(',');

  it(`accepts exactly the cap (default ${DEFAULT_MAX_CHANNEL_VARS}) of channel-variable columns; known columns do not count`, async () => {
    const items = await read(`${header(DEFAULT_MAX_CHANNEL_VARS)}\n${row(DEFAULT_MAX_CHANNEL_VARS)}\n`, { maxChannelVars: DEFAULT_MAX_CHANNEL_VARS });
    expect(items).toHaveLength(1);
    expect(items[0]!.kind === 'row' && Object.keys(items[0]!.row.vars)).toHaveLength(DEFAULT_MAX_CHANNEL_VARS);
  });

  it('rejects the file at cap + 1, naming the count, the limit and how to raise it', async () => {
    const n = DEFAULT_MAX_CHANNEL_VARS + 1;
    await expect(read(`${header(n)}\n${row(n)}\n`, { maxChannelVars: DEFAULT_MAX_CHANNEL_VARS })).rejects.toMatchObject({
      code: 'BAD_CSV',
      message: expect.stringMatching(/^line 1: 65 columns would become channel variables, more than the limit of 64 .*--max-channel-vars N.*maxChannelVars/),
    });
  });
});
