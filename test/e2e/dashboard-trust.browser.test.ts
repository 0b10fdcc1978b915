import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { CampaignWorker } from '../../jobs/campaign-worker.js';
import { AriSim } from '../../src/sim/index.js';
import {
  axeViolations,
  createCampaign,
  MAX_UPLOAD_BYTES,
  newContext,
  numbers,
  overflow,
  REDIS_URL,
  shot,
  startRig,
  storeAttempt,
  type Rig,
} from './dashboard-rig.js';

/**
 * Issue 20, in a real Chromium: rates an operator can trust (a cancelled campaign's answer rate counts only numbers
 * dialed; people and machines apart), the webhook's deliveries, an upload whose number column is not called
 * `number`, search as people type numbers, and every page at 1366 and 360 px with axe-core's serious and critical
 * violations at 0, no sideways scroll, and the first load's transferred bytes measured.
 */

let rig: Rig;
let hook: { server: Server; url: string };
let cancelled = '';
let amd = '';
let hooked = '';
let searched = '';
let scheduled = '';
const SEARCHED = numbers(10, 4930_555_1000);

/** A CRM that takes the results of numbers ending in an even digit and answers 500 for the others. */
async function startHook(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const n = (JSON.parse(body) as { result?: { number?: string } }).result?.number ?? '';
      if (/[13579]$/.test(n)) res.writeHead(500, { 'Content-Type': 'text/plain' }).end('crm is down');
      else res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/calls?key=s3cret-in-query` };
}

/** A campaign with a webhook dialed for real (simulator, worker): 6 answered numbers, 3 deliveries refused. */
async function dialWebhookCampaign(): Promise<string> {
  const sim = await AriSim.start({ users: { dialer: 'pw-trust' }, timeScale: 0.01 });
  const worker = new CampaignWorker({
    redisUrl: REDIS_URL,
    prefix: rig.prefix,
    ari: { url: sim.url, user: 'dialer', password: 'pw-trust' },
    pollMs: 100,
    webhookAllowHosts: ['127.0.0.1'],
    webhookBackoffMs: 10,
  });
  await worker.start();
  try {
    const id = await createCampaign(rig, 'with webhook', numbers(6, 4930_200_0000), {
      endpoint: 'SIP/trunk/{number}',
      cps: 50,
      webhook: { url: hook.url, attempts: 1 },
    });
    for (const until = Date.now() + 30_000; Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
      const c = (await rig.service.status(id)).counters;
      if (c.done === 6 && c.webhookDelivered + c.webhookFailed >= 6) return id;
    }
    throw new Error('the webhook campaign did not finish its deliveries in 30 s');
  } finally {
    await worker.stop(500);
    await sim.stop();
  }
}

beforeAll(async () => {
  rig = await startRig(['127.0.0.1']);
  hook = await startHook();
  hooked = await dialWebhookCampaign();
  // The campaign: 400 numbers, 51 dialed (35 answered), then cancelled: 349 never dialed.
  const many = numbers(400, 4930_300_0000);
  cancelled = await createCampaign(rig, 'cancelled early', many);
  for (let i = 0; i < 51; i++) await storeAttempt(rig, cancelled, many, i, i < 35 ? 'ANSWERED' : 'NO_ANSWER');
  // Paused a while before the cancel: its duration says how much of it was paused.
  await rig.service.pause(cancelled);
  await new Promise((r) => setTimeout(r, 1100));
  await rig.service.cancel(cancelled);
  const a = numbers(10, 4930_400_0000);
  amd = await createCampaign(rig, 'with amd', a, { amd: { onMachine: 'hangup' } });
  for (let i = 0; i < 4; i++) await storeAttempt(rig, amd, a, i, 'ANSWERED', { amd_status: 'HUMAN' });
  for (let i = 4; i < 7; i++) await storeAttempt(rig, amd, a, i, 'ANSWERED', { amd_status: 'MACHINE' });
  await storeAttempt(rig, amd, a, 7, 'BUSY');
  searched = await createCampaign(rig, 'search me', SEARCHED);
  await storeAttempt(rig, searched, SEARCHED, 0, 'ANSWERED');
  await storeAttempt(rig, searched, SEARCHED, 1, 'BUSY', { final: false });
  await storeAttempt(rig, searched, SEARCHED, 1, 'NO_ANSWER', { attempt: 2, channel_id: `ch-${SEARCHED[1]}-2` });
  scheduled = await createCampaign(rig, 'far future', numbers(5, 4930_500_0000), { startAt: '2030-01-01T09:00:00Z', endAt: '2030-01-31T18:00:00Z' });
}, 90_000);

afterAll(async () => {
  await rig?.close();
  await new Promise((r) => hook?.server.close(r));
});

const figure = (page: Page, name: string) => page.locator('#c-figures div', { has: page.locator('dt', { hasText: new RegExp(`^${name}$`) }) }).locator('dd');

describe('honest rates', () => {
  it('a cancelled campaign: answered of numbers dialed, not of numbers done; the bar shows what was never dialed', async () => {
    const { context, page, errors } = await newContext(rig);
    await page.goto(`${rig.dash.url}/#/`);
    const row = page.locator(`#campaigns tr[data-id="${cancelled}"]`);
    await row.locator('.state', { hasText: 'cancelled' }).waitFor();
    // 35 of 51 numbers dialed answered (68.6 %); 35 of 400 "done" (8.7 %) was the misleading figure.
    expect(await row.locator('td').nth(4).textContent()).toBe('68.6 % (35/51)');
    expect(await row.locator('.words').textContent()).toBe('51 dialed · 349 not dialed · 0 left of 400');
    await page.goto(`${rig.dash.url}/#/c/${cancelled}`);
    await figure(page, 'Answer rate').filter({ hasText: '68.6 %' }).waitFor();
    expect(await figure(page, 'Answer rate').textContent()).toBe('68.6 % of numbers dialed (35/51)');
    expect(await figure(page, 'Not dialed').textContent()).toBe('349: 349 cancelled, 0 ended by schedule');
    expect(await figure(page, 'Dialed').textContent()).toBe('51 numbers, 51 calls');
    const widths = await page.locator('#c-progress .seg').evaluateAll((els) => els.map((e) => (e as HTMLElement).style.width));
    expect(widths).toEqual(['12.8%', '87.3%']);
    expect(await page.locator('#c-progress').textContent()).not.toContain('100');
    // Start, end and how long it ran; no "time left" for a campaign that is over.
    for (const f of ['Created', 'Started', 'Cancelled']) expect(await figure(page, f).textContent()).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \S+$/);
    expect(await figure(page, 'Duration').textContent()).toMatch(/^\d+\.\ds, 1s of it paused$/);
    expect(await figure(page, 'Time left at this pace').isVisible()).toBe(false);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('says how many answered numbers were people and how many machines', async () => {
    const { context, page } = await newContext(rig);
    await page.goto(`${rig.dash.url}/#/c/${amd}`);
    await figure(page, 'Answered by').filter({ hasText: 'people' }).waitFor();
    expect(await figure(page, 'Answered by').textContent()).toBe('4 people, 3 machines');
    expect(await figure(page, 'Answer rate').textContent()).toBe('87.5 % of numbers dialed (7/8)');
    expect(await figure(page, 'AMD').textContent()).toBe('on; machines hung up');
    await shot(page, 'trust-amd-1366');
    await context.close();
  });

  it('a running campaign: time left at its pace, and what cps now and the chart buckets measure', async () => {
    const { context, page } = await newContext(rig);
    await page.goto(`${rig.dash.url}/#/c/${searched}`);
    // 8 numbers left at the pace of the 2 done in its first seconds.
    await figure(page, 'Time left at this pace')
      .filter({ hasText: /^(about \d.*|under a minute)$/ })
      .waitFor();
    expect(await page.locator('#cps-note').textContent()).toBe('cps now: calls started in the last 10 s ÷ 10.');
    expect(await page.locator('#timeline-note').textContent()).toMatch(/^Each point: calls that ended in that 10-second bucket/);
    await context.close();
  });

  it('shows a scheduled campaign as scheduled, with when it starts and ends', async () => {
    const { context, page } = await newContext(rig, { timezoneId: 'UTC', width: 360 });
    await page.goto(`${rig.dash.url}/#/`);
    await page.locator(`#campaigns tr[data-id="${scheduled}"] .state`, { hasText: 'scheduled' }).waitFor();
    await page.goto(`${rig.dash.url}/#/c/${scheduled}`);
    await page.locator('#c-state', { hasText: 'scheduled' }).waitFor();
    expect(await figure(page, 'Starts').textContent()).toBe('2030-01-01 09:00:00 UTC');
    expect(await figure(page, 'Ends').textContent()).toBe('2030-01-31 18:00:00 UTC');
    // Nothing dialed yet: the results say so, and their pager does not count "0–0 of 0".
    await page.locator('#results tbody', { hasText: 'No results yet.' }).waitFor();
    expect(await page.locator('#results-range').textContent()).toBe('No results');
    await shot(page, 'trust-scheduled-360');
    await context.close();
  });

  it('shows the webhook: URL without its query, delivered, failed, pending and the last error', async () => {
    const { context, page } = await newContext(rig);
    await page.goto(`${rig.dash.url}/#/c/${hooked}`);
    await page.locator('#c-webhook').waitFor();
    expect(await page.locator('#wh-url').textContent()).toBe(hook.url.replace(/\?.*$/, ''));
    expect(await page.locator('#wh-counts').textContent()).toBe('3 delivered, 3 failed, 0 pending');
    expect(await page.locator('#wh-error').textContent()).toMatch(/^Last error \(\d{4}-\d{2}-\d{2} .+\): webhook http:\/\/127\.0\.0\.1:\d+ answered 500$/);
    expect(await page.content()).not.toContain('s3cret-in-query');
    await context.close();
  });
});

describe('upload', () => {
  const CSV = 'mobile_nr,name,city\n+4930600001,Ada,Berlin\n+4930600002,Bob,Hamburg\n+4930600003,Cy,Köln\n';

  it('a file whose number column is mobile_nr: says so once, lets the user pick it, previews the rows, starts', async () => {
    const { context, page, errors } = await newContext(rig);
    await page.goto(`${rig.dash.url}/#/new`);
    await page.getByLabel('CSV file').setInputFiles({ name: 'mobiles.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
    await page.getByRole('button', { name: 'Check file' }).click();
    const result = page.locator('#u-result .summary');
    await result.filter({ hasText: 'Pick the number column' }).waitFor();
    const said = (await result.textContent()) ?? '';
    expect(said).not.toMatch(/line 1: line 1/i);
    expect(said).toMatch(/number column/i);
    expect(await page.getByLabel('Number column').locator('option').allTextContents()).toEqual(['number or phone (automatic)', 'mobile_nr', 'name', 'city']);
    await page.getByLabel('Number column').selectOption('mobile_nr');
    await page.getByRole('button', { name: 'Check file' }).click();
    await page.getByText('The file is fine.').waitFor();
    expect(await page.locator('#u-columns tbody tr').evaluateAll((rows) => rows.map((r) => [...r.children].map((c) => c.textContent)))).toEqual([
      ['mobile_nr', 'number to dial'],
      ['name', 'channel variable name'],
      ['city', 'channel variable city'],
    ]);
    expect(await page.locator('#u-sample tbody tr').evaluateAll((rows) => rows.map((r) => [...r.children].map((c) => c.textContent)))).toEqual([
      ['2', '+4930600001', '', 'Ada', 'Berlin'],
      ['3', '+4930600002', '', 'Bob', 'Hamburg'],
      ['4', '+4930600003', '', 'Cy', 'Köln'],
    ]);
    await shot(page, 'trust-upload-preview-1366');
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Start campaign' }).click();
    await page.waitForURL(/#\/c\//);
    const id = decodeURIComponent(new URL(page.url()).hash.replace('#/c/', ''));
    expect((await rig.service.status(id)).counters.total).toBe(3);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('states the size limit in MB, never as an option name', async () => {
    const { context, page } = await newContext(rig);
    await page.goto(`${rig.dash.url}/#/new`);
    expect(await page.locator('#u-file-hint').textContent()).toContain('Up to 2 MB.');
    const big = Buffer.alloc(MAX_UPLOAD_BYTES + 1024 * 1024, 'number\n');
    await page.getByLabel('CSV file').setInputFiles({ name: 'big.csv', mimeType: 'text/csv', buffer: big });
    await page.getByRole('button', { name: 'Check file' }).click();
    const said = (await page.locator('#u-result .summary').textContent()) ?? '';
    expect(said).toBe('The file is 3 MB; the largest file this dashboard accepts is 2 MB. Split it, or ask the administrator to raise the limit.');
    expect(said).not.toMatch(/bytes|maxUploadBytes/);
    await context.close();
  });
});

describe('search', () => {
  const hits = async (page: Page) =>
    page.locator('#search-results tbody tr').evaluateAll((rows) => rows.map((r) => [r.children[1]?.textContent, r.children[3]?.textContent]));

  for (const typed of ['+49 30 555 1000', '0049 30 5551000', '030 5551000', '5551000']) {
    it(`finds +49305551000 typed as "${typed}"`, async () => {
      const { context, page } = await newContext(rig);
      await page.goto(`${rig.dash.url}/#/`);
      // The form is the page's once its script has started (before, Enter submits it as a plain GET).
      await page.locator(`#campaigns tr[data-id="${searched}"]`).waitFor();
      await page.getByRole('searchbox', { name: 'Search number or job id' }).fill(typed);
      await page.keyboard.press('Enter');
      await page.locator('#search-summary', { hasText: '1 attempt(s) in 1 campaign(s)' }).waitFor();
      expect(await hits(page)).toEqual([['+49305551000', 'ANSWERED']]);
      await context.close();
    });
  }

  it('filters by disposition and by date; every row has a cell for every header', async () => {
    const { context, page } = await newContext(rig);
    await page.goto(`${rig.dash.url}/#/search/5551001`);
    await page.locator('#search-summary', { hasText: '2 attempt(s) in 1 campaign(s)' }).waitFor();
    const cells = await page.locator('#search-results tbody tr').evaluateAll((rows) => rows.map((r) => r.children.length));
    expect(cells).toEqual([8, 8]);
    // The campaign by its name (its id in the link's title), linking to its page.
    const campaign = page.locator('#search-results tbody tr').first().locator('td').first().getByRole('link');
    expect(await campaign.textContent()).toBe('search me');
    expect(await campaign.getAttribute('href')).toBe(`#/c/${encodeURIComponent(searched)}`);
    expect(await page.locator('#search-results thead th').count()).toBe(8);
    const view = page.getByRole('region', { name: 'Search' });
    await view.getByLabel('Disposition').selectOption('BUSY');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.locator('#search-summary', { hasText: '1 attempt(s)' }).waitFor();
    expect(await hits(page)).toEqual([['+49305551001', 'BUSY']]);
    await view.getByLabel('Disposition').selectOption('');
    await view.getByLabel('To').fill('2020-01-01T00:00');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.locator('#search-summary', { hasText: 'Nothing found for “5551001”.' }).waitFor();
    expect(await page.locator('#search-results tbody').textContent()).toBe('No attempts match.');
    await context.close();
  });
});

/** Bytes the browser received for one first load (headers and compressed bodies), from Chromium's network events. */
async function firstLoadBytes(page: Page, url: string, ready: () => Promise<unknown>): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  let bytes = 0;
  cdp.on('Network.loadingFinished', (e) => (bytes += e.encodedDataLength));
  await page.goto(url);
  await ready();
  await page.waitForLoadState('networkidle');
  await cdp.detach();
  return bytes;
}

/** The upload page with a file checked: its preview's tables are on the page too. */
async function checkedUpload(page: Page): Promise<void> {
  await page.getByLabel('CSV file').setInputFiles({
    name: 'three.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('number,name,account\n+4930700001,Ada Lovelace,ACC-1\n+4930700002,Bob,ACC-2\n'),
  });
  await page.getByRole('button', { name: 'Check file' }).click();
  await page.getByText('The file is fine.').waitFor();
}

describe('every page at 1366 and 360 px', () => {
  it('keeps the header compact with a long browser zone (New York, 360 px)', async () => {
    const { context, page } = await newContext(rig, { width: 360, timezoneId: 'America/New_York' });
    await page.goto(`${rig.dash.url}/#/`);
    await page.locator(`#campaigns tr[data-id="${cancelled}"]`).waitFor();
    expect(await page.locator('#zone option').first().textContent()).toBe('Times: browser (New York)');
    const header = (await page.locator('header.top').boundingBox())!.height;
    await shot(page, 'trust-header-ny-360');
    expect(header).toBeLessThanOrEqual(100);
    await context.close();
  });

  const pages: Array<{ name: string; hash: () => string; ready: (p: Page) => Promise<unknown> }> = [
    { name: 'list', hash: () => '#/', ready: (p) => p.locator(`#campaigns tr[data-id="${cancelled}"]`).waitFor() },
    { name: 'campaign', hash: () => `#/c/${cancelled}`, ready: (p) => p.locator('#results tbody tr[data-key]').first().waitFor() },
    { name: 'webhook', hash: () => `#/c/${hooked}`, ready: (p) => p.locator('#c-webhook').waitFor() },
    { name: 'upload', hash: () => '#/new', ready: checkedUpload },
    { name: 'search', hash: () => '#/search/5551001', ready: (p) => p.locator('#search-results tbody tr').first().waitFor() },
  ];
  for (const width of [1366, 360]) {
    for (const pg of pages) {
      it(`${pg.name} at ${width} px: no serious or critical axe violation, no sideways scroll`, async () => {
        const { context, page, errors } = await newContext(rig, { width });
        const bytes = await firstLoadBytes(page, `${rig.dash.url}/${pg.hash()}`, () => pg.ready(page));
        if (pg.name === 'campaign') await page.locator('#chart-outcomes').waitFor();
        await page.waitForTimeout(300); // charts drawn, live update in
        const axe = await axeViolations(page);
        const o = await overflow(page);
        const header = (await page.locator('header.top').boundingBox())!.height;
        process.stderr.write(
          `${pg.name} @${width}: axe serious+critical ${axe.length}, page width ${o.scrollWidth}/${o.innerWidth}, header ${Math.round(header)} px, first load ${(bytes / 1024).toFixed(1)} KB\n`,
        );
        await shot(page, `trust-${pg.name}-${width}`);
        expect(axe).toEqual([]);
        expect(o.scrollWidth, o.culprit).toBeLessThanOrEqual(o.innerWidth);
        // A compact header: three short rows at 360 px (it was 126 px at 420), one row at 1366.
        expect(header).toBeLessThanOrEqual(width === 360 ? 100 : 50);
        // First load of any page, chart.js included on a campaign page: at most 120 KB on the wire.
        expect(bytes).toBeLessThanOrEqual(120 * 1024);
        expect(errors).toEqual([]);
        await context.close();
      });
    }
  }
});
