import { Readable } from 'node:stream';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CampaignService } from '../../src/campaign/campaign-service.js';
import { startDashboard, type Dashboard } from '../../src/dashboard/server.js';
import { launchChromium } from '../helpers/launch-chromium.js';
import { waitUntil } from '../helpers/redis-test.js';
import { closeAll, newService, REDIS_URL, testPrefix } from '../dashboard/harness.js';

/**
 * Issue 15, item 8: bull-board linked Google Fonts (a third-party request from the operator's browser) and offered
 * viewers its Retry all / Clean all buttons. Item 5: the campaign page lists its own actions (operators only).
 * Item 6: the upload form sends override columns only with its explicit box ticked.
 */

const OPERATOR = 'op-board-token-0123456789abcdef';
const VIEWER = 'viewer-board-token-0123456789ab';
let prefix: string;
let redis: Redis;
let service: CampaignService;
let dash: Dashboard;
let browser: Browser;
let campaignId: string;
let queueName: string;

beforeAll(async () => {
  prefix = testPrefix();
  ({ redis, service } = newService(prefix));
  dash = await startDashboard({ service, redisUrl: REDIS_URL, port: 0, operatorToken: OPERATOR, viewerToken: VIEWER });
  const r = await service.create({
    name: 'board',
    settings: { endpoint: 'PJSIP/{number}@trunk', cps: 1 },
    open: () => Readable.from(['number\n+4930100\n+4930101\n']),
  });
  campaignId = r.id!;
  // Two failed jobs, so the board offers Retry all and Clean all.
  const queue = service.dialQueue(campaignId);
  queueName = queue.name;
  const worker = new Worker(
    queue.name,
    async () => {
      throw new Error('made to fail by the test');
    },
    { connection: redis.duplicate(), prefix: queue.opts.prefix },
  );
  await waitUntil('jobs failed', async () => (await queue.getFailedCount()) === 2, 10_000);
  await worker.close();
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await closeAll(prefix, { dash, service, redis });
});

async function loggedIn(token: string): Promise<{ context: BrowserContext; page: Page; requests: string[] }> {
  const context = await browser.newContext();
  context.setDefaultTimeout(10_000);
  const login = await context.request.post(`${dash.url}/login`, { form: { token }, headers: { Origin: dash.url }, maxRedirects: 0 });
  expect(login.status()).toBe(303);
  const page = await context.newPage();
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  return { context, page, requests };
}

const loopbackOnly = (urls: string[]) => urls.filter((u) => !/^(data:|blob:|about:)/.test(u) && new URL(u).hostname !== '127.0.0.1');

describe('bull-board under /queues', () => {
  it('operators: Retry all and Clean all; the page asks nothing of any other host and has a CSP', async () => {
    const { context, page, requests } = await loggedIn(OPERATOR);
    const res = await page.goto(`${dash.url}/queues/queue/${encodeURIComponent(queueName)}?status=failed`);
    expect(res?.headers()['content-security-policy']).toMatch(/default-src 'self'; script-src 'self'/);
    await page
      .getByRole('button', { name: /Retry all/i })
      .first()
      .waitFor();
    await page
      .getByRole('button', { name: /Clean all/i })
      .first()
      .waitFor();
    await page.waitForLoadState('networkidle');
    expect(requests.length).toBeGreaterThan(3);
    expect(loopbackOnly(requests)).toEqual([]);
    expect(await page.content()).not.toContain('fonts.googleapis.com');
    await context.close();
  });

  it('viewers: the same failed jobs with no Retry all, Clean all, or per-job Retry; the API refuses them anyway', async () => {
    const { context, page, requests } = await loggedIn(VIEWER);
    await page.goto(`${dash.url}/queues/queue/${encodeURIComponent(queueName)}?status=failed`);
    await page.getByText('made to fail by the test').first().waitFor();
    await page.waitForLoadState('networkidle');
    for (const name of [/Retry all/i, /Clean all/i, /^Retry$/i, /Promote/i]) expect(await page.getByRole('button', { name }).count(), String(name)).toBe(0);
    expect(loopbackOnly(requests)).toEqual([]);
    const retry = await context.request.put(`${dash.url}/queues/api/queues/${encodeURIComponent(queueName)}/retry/failed`, {
      headers: { Origin: dash.url, 'Content-Type': 'application/json' },
    });
    expect(retry.status()).toBe(403);
    expect(await service.dialQueue(campaignId).getFailedCount()).toBe(2);
    await context.close();
  });
});

describe('the campaign page lists its own actions', () => {
  it('operators see who paused it and from where; viewers do not see the record', async () => {
    const pause = await fetch(`${dash.url}/api/campaigns/${campaignId}/pause`, { method: 'POST', headers: { Authorization: `Bearer ${OPERATOR}` } });
    expect(pause.status).toBe(200);
    await pause.body?.cancel();
    const op = await loggedIn(OPERATOR);
    await op.page.goto(`${dash.url}/#/c/${campaignId}`);
    const rows = op.page.locator('#audit tbody tr');
    await rows.filter({ hasText: 'pause' }).first().waitFor();
    expect(await rows.filter({ hasText: 'pause' }).first().textContent()).toMatch(/operator \(web\).*127\.0\.0\.1.*pause.*done/);
    await op.context.close();
    const viewer = await loggedIn(VIEWER);
    await viewer.page.goto(`${dash.url}/#/c/${campaignId}`);
    await viewer.page.getByRole('heading', { name: 'Calls in flight' }).waitFor();
    expect(await viewer.page.locator('#c-audit').isHidden()).toBe(true);
    await viewer.context.close();
  });
});

describe('the upload form and row overrides', () => {
  it('a file with a context column is refused naming the column and the setting, until the override box is ticked', async () => {
    const { context, page } = await loggedIn(OPERATOR);
    await page.goto(`${dash.url}/#/new`);
    await page
      .getByLabel('CSV file')
      .setInputFiles({ name: 'ctx.csv', mimeType: 'text/csv', buffer: Buffer.from('number,context\n4930109990,from-internal\n4930109991,bad context!\n') });
    await page.getByLabel('Endpoint').fill('SIP/trunk/{number}');
    await page.getByRole('button', { name: 'Check file' }).click();
    await page
      .getByText(/column 2 \(context\) would override the campaign's context.*allowRowOverrides/)
      .first()
      .waitFor();
    await page.getByLabel(/override these settings per row/).check();
    await page.getByRole('button', { name: 'Check file' }).click();
    const errors = page.getByRole('list', { name: 'Rows with errors' });
    await errors.waitFor();
    expect(await errors.locator('li').allTextContents()).toEqual([
      expect.stringMatching(/^Line 3: column 2 \(context\): "bad context!" is not a dial plan context/),
    ]);
    await context.close();
  });
});
