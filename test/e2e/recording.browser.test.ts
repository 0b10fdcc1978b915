import { mkdir } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type Dashboard } from '../../src/dashboard/server.js';
import { startCampaignRig, type CampaignRig } from '../helpers/campaign-rig.js';
import { launchChromium } from '../helpers/launch-chromium.js';
import { REDIS_URL, testPrefix, waitUntil } from '../helpers/redis-test.js';

/** A recorded campaign on the simulator, its results table in Chromium: a viewer presses play, hears it and seeks. */
const VIEWER = 'viewer-rec-token-8e1f02c4b7c3';
const ARTIFACTS = new URL('../artifacts/', import.meta.url);
let rig: CampaignRig;
let dash: Dashboard;
let browser: Browser;
let page: Page;
let campaignId: string;
const ranges: Array<{ status: number; range: string | undefined }> = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  // Calls of ~3 s of audio (the continued dialplan's 60 s at x0.05).
  rig = await startCampaignRig(testPrefix('recui'), {
    sim: { timeScale: 0.05, dialplanMs: 60_000, rules: [{ match: '555000', outcome: 'answer', ringMs: 500, talkMs: 60_000 }] },
  });
  dash = await startDashboard({
    service: rig.svc,
    redisUrl: REDIS_URL,
    port: 0,
    operatorToken: 'op-rec-token-5d0c9a7e31a8f',
    viewerToken: VIEWER,
    recordings: (name) => (name === 'default' ? { url: rig.sim.url, user: 'dialer', password: 'pw' } : undefined),
  });
  const r = await rig.svc.create({
    name: 'recorded',
    settings: { endpoint: 'SIP/trunk/{number}', cps: 100, timeoutS: 5, retry: 'none', record: true },
    open: () => Readable.from(['number\n+15550001001\n+15550001002\n']),
  });
  campaignId = r.id!;
  await waitUntil('campaign finished', async () => (await rig.svc.get(campaignId)).state === 'finished', 20_000);
  const context = await browser.newContext({ viewport: { width: 1500, height: 900 } });
  context.setDefaultTimeout(10_000);
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('response', (res) => {
    if (res.url().endsWith('/recording')) ranges.push({ status: res.status(), range: res.request().headers().range });
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await dash?.close();
  await rig?.close();
});

describe('a recording in the dashboard', () => {
  it('a viewer plays it from the results table: audio.duration > 0, and a seek is served as a range', async () => {
    await page.goto(`${dash.url}/login`);
    await page.getByLabel('Dashboard token').fill(VIEWER);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Campaigns' }).waitFor();
    await page.goto(`${dash.url}/#/c/${encodeURIComponent(campaignId)}`);
    const play = page.getByRole('button', { name: /^Play the recording of \+15550001001, attempt 1/ });
    await play.waitFor();
    await play.click();
    const audio = page.getByLabel('Recording of +15550001001, attempt 1');
    await audio.waitFor();
    await page.waitForFunction(() => {
      const a = document.querySelector<HTMLAudioElement>('td.rec audio');
      return a !== null && a.readyState >= 1 && Number.isFinite(a.duration);
    });
    const duration = await audio.evaluate((a: HTMLAudioElement) => a.duration);
    expect(duration).toBeGreaterThan(1);
    const seekTo = duration * 0.75;
    const after = await audio.evaluate(
      (a: HTMLAudioElement, t: number) =>
        new Promise<number>((resolve) => {
          a.addEventListener('seeked', () => resolve(a.currentTime), { once: true });
          a.currentTime = t;
        }),
      seekTo,
    );
    expect(Math.abs(after - seekTo)).toBeLessThan(0.2);
    // Chromium probes with `Range: bytes=0-`; a 206 (the dashboard's, since Asterisk answers 200 whole) is what makes
    // it treat the media as seekable at all (a 200 without ranges leaves audio.seekable empty).
    expect(ranges[0]).toEqual({ status: 206, range: 'bytes=0-' });
    const seekable = await audio.evaluate((a: HTMLAudioElement) => (a.seekable.length ? a.seekable.end(0) : 0));
    expect(Math.abs(seekable - duration)).toBeLessThan(0.05);
    expect(ranges.every((r) => r.status === 200 || r.status === 206)).toBe(true);
    await mkdir(ARTIFACTS, { recursive: true });
    await page.locator('#results').screenshot({ path: new URL('recording-player.png', ARTIFACTS).pathname });
    expect(pageErrors).toEqual([]);
  });
});
