import { mkdir, readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CampaignService } from '../../src/campaign/campaign-service.js';
import { CampaignWorker } from '../../jobs/campaign-worker.js';
import { startDashboard, type Dashboard } from '../../src/dashboard/server.js';
import { AriSim } from '../../src/sim/index.js';
import { closeAll, newService, parseCsv, REDIS_URL, testPrefix } from '../dashboard/harness.js';
import { launchChromium } from '../helpers/launch-chromium.js';

/**
 * The dashboard in a real browser against a real campaign: an installed Chromium driven by playwright-core, the ARI
 * simulator answering by last digit, a CampaignWorker dialing, Redis underneath.
 */

const OPERATOR = 'op-e2e-token-5b1d7c0f9e4a2c';
const VIEWER = 'viewer-e2e-token-3a9e21b7d4';
const ARI_PASSWORD = 'ari-pw-e2e-77c1';
const ARTIFACTS = new URL('../artifacts/', import.meta.url);
/** The simulator's rule: the last digit decides (0-5 answer, 6 busy, 7 no answer, 8 congestion, 9 rejected). */
const EXPECTED: Record<string, string> = {
  '0': 'ANSWERED',
  '1': 'ANSWERED',
  '2': 'ANSWERED',
  '3': 'ANSWERED',
  '4': 'ANSWERED',
  '5': 'ANSWERED',
  '6': 'BUSY',
  '7': 'NO_ANSWER',
  '8': 'CONGESTION',
  '9': 'REJECTED',
};
const NUMBERS = Array.from({ length: 40 }, (_, i) => String(4930100000 + i));

let prefix: string;
let redis: Redis;
let service: CampaignService;
let sim: AriSim;
let worker: CampaignWorker;
let dash: Dashboard;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  // Missing Chromium fails (never skips): a green run must mean the dashboard was seen working in a browser.
  browser = await launchChromium();
  prefix = testPrefix();
  ({ redis, service } = newService(prefix));
  sim = await AriSim.start({ users: { dialer: ARI_PASSWORD }, timeScale: 0.01 });
  worker = new CampaignWorker({ redisUrl: REDIS_URL, prefix, ari: { url: sim.url, user: 'dialer', password: ARI_PASSWORD }, channelCap: 50, pollMs: 200 });
  await worker.start();
  dash = await startDashboard({ service, redisUrl: REDIS_URL, port: 0, operatorToken: OPERATOR, viewerToken: VIEWER });
  context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1360, height: 1000 } });
  // Fail with Playwright's own message (what it waited for) well before the test's timeout.
  context.setDefaultTimeout(10_000);
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // The browser logs failed requests (our deliberate 401s) as errors too; anything else is a page bug.
    // bull-board's own page asks fonts.googleapis.com, which fails offline (it falls back to system fonts).
    if (m.type() === 'error' && !/status of 40[13]/.test(m.text()) && !new URL(page.url()).pathname.startsWith('/queues')) {
      pageErrors.push(`console: ${m.text()}`);
    }
  });
}, 60_000);

// A failing step leaves a picture and the page's messages behind, so CI failures can be read.
afterEach(async (ctx) => {
  if (ctx.task.result?.state !== 'fail' || !page) return;
  await mkdir(ARTIFACTS, { recursive: true });
  const name = ctx.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
  await page.screenshot({ path: new URL(`failed-${name}.png`, ARTIFACTS).pathname, fullPage: true }).catch(() => undefined);
  const text = await page
    .locator('#flash, #u-result')
    .allTextContents()
    .catch(() => []);
  process.stderr.write(`page at failure: ${page.url()}\n  ${text.join('\n  ')}\n  ${pageErrors.join('\n  ')}\n`);
});

afterAll(async () => {
  await browser?.close();
  await worker?.stop(500);
  await sim?.stop();
  await closeAll(prefix, { dash, service, redis });
});

describe('dashboard in Chromium', () => {
  it('refuses everything without a token', async () => {
    const api = await page.goto(`${dash.url}/api/campaigns`);
    expect(api?.status()).toBe(401);
    expect(await api?.text()).toContain('UNAUTHORIZED');
    await page.goto(`${dash.url}/`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.getByRole('button', { name: 'Log in' }).waitFor();

    await page.getByLabel('Dashboard token').fill('not-the-token');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText('That token is not valid.').waitFor();
  });

  it('logs in with the keyboard and shows the campaign list', async () => {
    await page.getByLabel('Dashboard token').fill(OPERATOR);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Campaigns' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    await page.locator('#live.on').waitFor({ timeout: 5000 });
    // The cookie the form set is not readable by scripts.
    expect(await page.evaluate(() => document.cookie)).toBe('');
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'dialer_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(session?.value).not.toContain(OPERATOR);
  });

  let campaignId = '';

  it('uploads a CSV through the form: preview first, then start (Tab + Enter)', async () => {
    await page.getByRole('link', { name: 'New campaign' }).click();
    await page.getByRole('heading', { name: 'New campaign' }).waitFor();
    // Every field of the form has a label.
    const unlabelled = await page
      .locator('#upload-form')
      .evaluate((form) => [...form.querySelectorAll('input, select')].filter((el) => !(el as HTMLInputElement).labels?.length).map((el) => el.id));
    expect(unlabelled).toEqual([]);

    const csv = `number,name\n${NUMBERS.map((n, i) => `${n},person ${i}`).join('\n')}\n`;
    await page.getByLabel('CSV file').setInputFiles({ name: 'browser-e2e.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByLabel('Campaign name').fill('browser e2e');
    await page.getByLabel('Endpoint').fill('SIP/trunk/{number}');
    await page.getByLabel('Calls per second').fill('8');
    await page.getByLabel('Max calls at once').fill('10');
    await page.getByLabel('Ring timeout (s)').fill('20');
    await page.getByLabel('Retry policy').fill('busy=1@1s,no_answer=0@1s,congestion=0@1s');
    expect(await page.getByLabel('Accept only the good rows (skip bad ones)').isChecked()).toBe(false);

    await page.getByRole('button', { name: 'Check file' }).click();
    await page.getByText('The file is fine.').waitFor();
    await page.getByText('40 rows: 40 to dial, 0 rejected').waitFor();
    // Nothing exists yet: the preview only validated.
    expect(await service.store.ids()).toEqual([]);

    await page.getByRole('button', { name: 'Check file' }).focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('u-start');
    await page.keyboard.press('Enter');
    await page.waitForURL(/#\/c\//);
    campaignId = decodeURIComponent(new URL(page.url()).hash.replace('#/c/', ''));
    expect(await service.store.ids()).toEqual([campaignId]);
    await page.getByRole('heading', { name: 'browser e2e' }).waitFor();
  });

  it('pauses and resumes, and the progress bar reaches 100 %', async () => {
    await page.getByRole('button', { name: 'Pause browser e2e' }).click();
    await page.locator('#c-state', { hasText: 'paused' }).waitFor();
    expect((await service.get(campaignId)).state).toBe('paused');
    const atPause = (await service.status(campaignId)).counters;
    expect(atPause.done).toBeLessThan(atPause.total);
    // Calls in flight finish (on a loaded machine that can take longer than their 10-30 ms): wait until the count
    // holds still for 700 ms, then no new ones start.
    let settled = (await service.status(campaignId)).counters;
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 700));
      const now = (await service.status(campaignId)).counters;
      if (now.attempts === settled.attempts) break;
      settled = now;
    }
    await new Promise((r) => setTimeout(r, 700));
    expect((await service.status(campaignId)).counters.attempts).toBe(settled.attempts);

    const resume = page.getByRole('button', { name: 'Resume browser e2e' });
    await resume.focus();
    await page.keyboard.press('Enter');
    await page.locator('#c-state', { hasText: /running|finished/ }).waitFor();

    await page.locator('#c-progress .words', { hasText: '40 dialed · 0 left of 40' }).waitFor({ timeout: 30_000 });
    await page.locator('#c-state', { hasText: 'finished' }).waitFor({ timeout: 10_000 });
    // Charts and tables have what the live feed pushed.
    // 40 numbers, and the 4 ending in 6 were busy twice (one retry): 44 attempts.
    await page.locator('#results-range', { hasText: /of 44$/ }).waitFor();
    await page.locator('#results tbody tr').nth(10).waitFor();
    await page.getByText('No calls in flight.').waitFor();
    await mkdir(ARTIFACTS, { recursive: true });
    await page.waitForTimeout(300); // let the charts draw their last update
    await page.screenshot({ path: new URL('campaign.png', ARTIFACTS).pathname, fullPage: true });
  });

  it('shows the finished campaign in the list', async () => {
    await page.getByRole('link', { name: 'Campaigns', exact: true }).click();
    const row = page.locator(`#campaigns tr[data-id="${campaignId}"]`);
    await row.locator('.words', { hasText: '40 dialed · 0 left of 40' }).waitFor();
    expect(await row.locator('td').nth(1).textContent()).toBe('finished');
    // 24 of 40 numbers end in 0-5 (answered by the simulator).
    expect(await row.locator('td').nth(4).textContent()).toBe('60.0 % (24/40)');
    // Nothing to pause or cancel any more; only Delete (behind a typed confirmation).
    expect(await row.getByRole('button').count()).toBe(1);
    expect(await row.getByRole('button', { name: 'Delete browser e2e' }).count()).toBe(1);
    await page.screenshot({ path: new URL('campaigns.png', ARTIFACTS).pathname });
    await row.getByRole('link', { name: 'browser e2e' }).click();
    await page.getByRole('heading', { name: 'browser e2e' }).waitFor();
    await page.locator('#results-range', { hasText: /of 44$/ }).waitFor();
  });

  it('filters the latest results by disposition', async () => {
    await page.locator('#results-filter').selectOption('BUSY');
    await page.locator('#results-range', { hasText: /of 8$/ }).waitFor();
    await page.locator('#results tbody tr td:nth-child(4)', { hasText: 'BUSY' }).first().waitFor();
    const cells = await page.locator('#results tbody tr td:nth-child(4)').allTextContents();
    expect(new Set(cells)).toEqual(new Set(['BUSY']));
    await page.locator('#results-filter').selectOption('');
  });

  it('downloads the CSV report: one row per number, dispositions by the last digit', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'CSV, one row per number' }).click()]);
    expect(download.suggestedFilename()).toBe(`${campaignId}-final.csv`);
    const [header, ...rows] = parseCsv(await readFile(await download.path(), 'utf8'));
    const num = header!.indexOf('number');
    const disp = header!.indexOf('disposition');
    expect(rows).toHaveLength(NUMBERS.length);
    expect(rows.map((r) => r[num]).sort()).toEqual([...NUMBERS].sort());
    for (const r of rows) expect(r[disp], r[num]).toBe(EXPECTED[r[num]!.slice(-1)]);
  });

  it('finds a number with the search box', async () => {
    await page.getByRole('searchbox', { name: 'Search number or job id' }).fill(NUMBERS[6]!);
    await page.getByRole('searchbox', { name: 'Search number or job id' }).press('Enter');
    await page.getByText(/2 attempt\(s\) in 1 campaign\(s\)/).waitFor();
    expect(await page.locator('#search-results tbody tr td:nth-child(4)').allTextContents()).toEqual(['BUSY', 'BUSY']);
  });

  it('shows the campaign queue in bull-board under /queues, with the login cookie', async () => {
    await page.getByRole('link', { name: 'Queues' }).click();
    await page.waitForURL(/\/queues\//);
    await page.getByText(`dial-${campaignId}`).first().waitFor();
  });

  it('shows the line of a bad row inline and starts nothing', async () => {
    await page.goto(`${dash.url}/#/new`);
    await page
      .getByLabel('CSV file')
      .setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('number\n4930109990\nnot a number\n4930109991\n') });
    await page.getByLabel('Endpoint').fill('SIP/trunk/{number}');
    await page.getByRole('button', { name: 'Check file' }).click();
    const errors = page.getByRole('list', { name: 'Rows with errors' });
    await errors.waitFor();
    expect(await errors.locator('li').allTextContents()).toEqual([expect.stringMatching(/^Line 3: /)]);
    await page.getByText('1 row(s) have errors').waitFor();
    expect(await page.getByRole('button', { name: 'Start campaign' }).isDisabled()).toBe(true);
    expect(await service.store.ids()).toEqual([campaignId]);
  });

  it('had no script errors and showed no secrets', async () => {
    const html = await page.content();
    expect(html).not.toContain(OPERATOR);
    expect(html).not.toContain(ARI_PASSWORD);
    expect(pageErrors).toEqual([]);
  });
});
