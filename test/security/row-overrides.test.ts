import { Readable } from 'node:stream';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CampaignService } from '../../src/campaign/campaign-service.js';
import { overrideCellProblem } from '../../src/campaign/import/override-cells.js';
import { closeAll, newService, testPrefix } from '../dashboard/harness.js';

/**
 * Issue 15, item 6: the context, extension, priority and callerid columns overrode the campaign unchecked:
 * `bad context!`, `1234;x`, `<b>cid</b>` and `+cmd|' /C calc'!A0` were accepted, the last two placed as caller ids.
 */

let prefix: string;
let redis: Redis;
let service: CampaignService;
beforeAll(() => {
  prefix = testPrefix();
  ({ redis, service } = newService(prefix));
});
afterAll(() => closeAll(prefix, { service, redis }));

const SETTINGS = { endpoint: 'PJSIP/{number}@trunk', cps: 1 };
const csv = (text: string) => () => Readable.from([text]);

describe('each override cell is checked', () => {
  it.each([
    ['context', 'bad context!'],
    ['context', 'ctx;Dial(x)'],
    ['extension', '1234;x'],
    ['extension', 's,1'],
    ['priority', 'x1'],
    ['priority', '0'],
    ['priority', '1.5'],
    ['callerid', '<b>cid</b>'],
    ['callerid', "+cmd|' /C calc'!A0"],
    ['callerid', '=HYPERLINK("http://x")'],
    ['callerid', '-2+3'],
    ['callerid', '@SUM(A1)'],
    ['callerid', '"Sales" <+4930<b>>'],
    ['callerid', '"=cmd" <+4930123>'],
    ['callerid', `"${'a'.repeat(70)}" <+4930123456>`],
  ] as const)('%s %j is refused', (column, value) => {
    expect(overrideCellProblem(column, value)).toBeDefined();
  });

  it.each([
    ['context', 'from-internal'],
    ['context', 'outbound.sales_2'],
    ['extension', '+4930123456'],
    ['extension', '*97#'],
    ['priority', '2'],
    ['callerid', '+4930123456'],
    ['callerid', '030123456'],
    ['callerid', '"Sales Team" <+4930123456>'],
    ['callerid', "O'Brien & Co <+35312345678>"],
    ['callerid', '"Müller GmbH" <+4930123456>'],
  ] as const)('%s %j is accepted', (column, value) => {
    expect(overrideCellProblem(column, value)).toBeUndefined();
  });
});

describe('a campaign takes override columns only with allowRowOverrides', () => {
  it('refuses a file with an override column by default, naming the column and the setting', async () => {
    const file = 'number,name,context\n+4930100,Ada,from-internal\n';
    await expect(service.create({ name: 'no-overrides', settings: SETTINGS, open: csv(file) })).rejects.toThrow(
      /column 3 \(context\) would override the campaign's context .*set allowRowOverrides/,
    );
    await expect(service.create({ name: 'no-cid', settings: SETTINGS, open: csv('callerid,number\n+4930999,+4930100\n') })).rejects.toThrow(
      /column 1 \(callerid\) would override the campaign's callerId/,
    );
  });

  it('with allowRowOverrides, every bad cell rejects its row by line and column; good rows carry their overrides', async () => {
    const file = [
      'number,context,extension,priority,callerid',
      '+4930100,bad context!,s,1,+4930999',
      '+4930101,from-internal,1234;x,1,+4930999',
      '+4930102,from-internal,s,one,+4930999',
      '+4930103,from-internal,s,1,<b>cid</b>',
      "+4930104,from-internal,s,1,+cmd|' /C calc'!A0",
      '+4930105,from-internal,100,2,"""Sales"" <+4930999>"',
    ].join('\n');
    const settings = { ...SETTINGS, allowRowOverrides: true };
    const strict = await service.create({ name: 'strict', settings, open: csv(file) });
    expect(strict.created).toBe(false);
    expect(strict.errors).toEqual([
      { line: 2, reason: expect.stringMatching(/^column 2 \(context\): "bad context!" is not a dial plan context/) },
      { line: 3, reason: expect.stringMatching(/^column 3 \(extension\): "1234;x" is not a dial plan extension/) },
      { line: 4, reason: expect.stringMatching(/^column 4 \(priority\): "one" is not a priority/) },
      { line: 5, reason: expect.stringMatching(/^column 5 \(callerid\): "<b>cid<\/b>" is not a caller id/) },
      { line: 6, reason: expect.stringMatching(/^column 5 \(callerid\): "\+cmd\|' \/C calc'!A0" is not a caller id/) },
    ]);
    const r = await service.create({ name: 'skip', settings, open: csv(file), skipInvalid: true });
    expect(r).toMatchObject({ created: true, accepted: 1, rejected: 5 });
    const queue: Queue = service.dialQueue(r.id!);
    const jobs = await queue.getJobs(['waiting', 'delayed', 'prioritized']);
    expect(jobs.map((j) => j.data)).toEqual([
      expect.objectContaining({ number: '+4930105', context: 'from-internal', extension: '100', priority: 2, callerId: '"Sales" <+4930999>' }),
    ]);
    await service.cancel(r.id!);
  });

  it("drops the text mark an exported report puts before + (Excel's apostrophe), then checks the cell", async () => {
    const file = ['number,extension,callerid', "'+4930100,'+4930555,'+4930999", "+4930101,s,'=cmd|' /C calc'!A0"].join('\n');
    const r = await service.create({ name: 'marks', settings: { ...SETTINGS, allowRowOverrides: true }, open: csv(file), skipInvalid: true });
    expect(r).toMatchObject({ created: true, accepted: 1, rejected: 1 });
    const jobs = await service.dialQueue(r.id!).getJobs(['waiting', 'delayed', 'prioritized']);
    expect(jobs.map((j) => j.data)).toEqual([expect.objectContaining({ number: '+4930100', extension: '+4930555', callerId: '+4930999' })]);
    await service.cancel(r.id!);
  });

  it('refuses allowRowOverrides that is not a boolean', async () => {
    await expect(service.preview({ settings: { ...SETTINGS, allowRowOverrides: 'maybe' }, open: csv('number\n+4930100\n') })).rejects.toThrow(
      /allowRowOverrides: must be true or false/,
    );
  });
});
