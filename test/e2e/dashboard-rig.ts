import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import type { Redis } from 'ioredis';
import type { CampaignService } from '../../src/campaign/campaign-service.js';
import type { Disposition } from '../../src/dialer/call-result.js';
import { startDashboard, type Dashboard } from '../../src/dashboard/server.js';
import type { AttemptRecord } from '../../src/report/attempt-record.js';
import { attemptRecord, closeAll, newService, REDIS_URL, testPrefix } from '../dashboard/harness.js';
import { launchChromium } from '../helpers/launch-chromium.js';

/**
 * One dashboard on a fresh key prefix, one Chromium, and campaigns seeded through the real service and store (no
 * worker: the states and figures are set up exactly, and live updates are driven by publishing campaign events,
 * which is what the workers do).
 */
export const OPERATOR = 'op-trust-token-8c2e41d7a9';
export const VIEWER = 'viewer-trust-token-51f0b2';
export const ARTIFACTS = new URL('../artifacts/', import.meta.url);
export const MAX_UPLOAD_BYTES = 2 * 1024 * 1024;

export interface Rig {
  prefix: string;
  redis: Redis;
  service: CampaignService;
  dash: Dashboard;
  browser: Browser;
  close(): Promise<void>;
}

/** `webhookAllowHosts`: destinations the SSRF rules would refuse that a test's webhook receiver needs (127.0.0.1). */
export async function startRig(webhookAllowHosts?: string[]): Promise<Rig> {
  const browser = await launchChromium();
  const prefix = testPrefix();
  const { redis, service } = newService(prefix, webhookAllowHosts);
  const dash = await startDashboard({ service, redisUrl: REDIS_URL, port: 0, operatorToken: OPERATOR, viewerToken: VIEWER, maxUploadBytes: MAX_UPLOAD_BYTES });
  return {
    prefix,
    redis,
    service,
    dash,
    browser,
    async close() {
      await browser.close();
      await closeAll(prefix, { dash, service, redis });
    },
  };
}

/** A logged-in browser context (through the login form, whose session cookie the context keeps) with page errors collected. */
export async function newContext(
  rig: Rig,
  o: { token?: string; width?: number; timezoneId?: string } & BrowserContextOptions = {},
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const { token = OPERATOR, width = 1366, ...rest } = o;
  const context = await rig.browser.newContext({ viewport: { width, height: 900 }, acceptDownloads: true, ...rest });
  context.setDefaultTimeout(10_000);
  const login = await context.request.post(`${rig.dash.url}/login`, { form: { token }, headers: { Origin: rig.dash.url }, maxRedirects: 0 });
  if (login.status() !== 303) throw new Error(`login failed: ${login.status()}`);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 40[0-9]/.test(m.text())) errors.push(`console: ${m.text()}`);
  });
  return { context, page, errors };
}

/** A CSV of `n` numbers +4930555NNNN (last digit decides nothing here: attempts are stored by the test). */
export function numbers(n: number, base = 4930_555_0000): string[] {
  return Array.from({ length: n }, (_, i) => `+${base + i}`);
}

export async function createCampaign(rig: Rig, name: string, nums: string[], settings: Record<string, unknown> = {}): Promise<string> {
  const csv = `number,name\n${nums.map((n, i) => `${n},person ${i}`).join('\n')}\n`;
  const r = await rig.service.create({ name, settings: { endpoint: 'PJSIP/{number}@trunk', cps: 1, ...settings }, open: () => Readable.from([csv]) });
  if (!r.id) throw new Error(`campaign ${name} not created: ${JSON.stringify(r.errors)}`);
  return r.id;
}

/** Stores one attempt as a worker would (row = index + 2: the header is line 1). */
export async function storeAttempt(
  rig: Rig,
  id: string,
  nums: string[],
  i: number,
  disposition: Disposition,
  extra: Partial<AttemptRecord> = {},
): Promise<void> {
  const rec = { ...attemptRecord(id, nums[i]!, i + 2, disposition), ...extra };
  await rig.service.store.recordAttempt(rec);
}

/** Publishes campaign events every `everyMs` (as workers do when calls end) until stopped: live updates keep coming. */
export function pumpEvents(rig: Rig, ids: string[], everyMs = 40): () => void {
  const t = setInterval(() => {
    for (const id of ids) void rig.service.store.publish({ type: 'campaign', id, change: 'attempt' });
  }, everyMs);
  return () => clearInterval(t);
}

export async function shot(page: Page, name: string): Promise<void> {
  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: new URL(`${name}.png`, ARTIFACTS).pathname, fullPage: true });
}

const AXE_SOURCE = readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical violations on the page as it is now (rule id and how many nodes). */
export async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol: the page's CSP (script-src 'self') refuses an inline <script>.
  await page.evaluate(await AXE_SOURCE);
  const found = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run(ctx: unknown, o: unknown): Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> }> };
      }
    ).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map(
        (v) =>
          `${v.id} (${v.impact}): ${v.nodes
            .slice(0, 3)
            .map((n) => n.target.join(' '))
            .join(', ')}`,
      );
  });
  return found;
}

/** Widest element past the viewport, for a failure message that says what overflows. */
export async function overflow(page: Page): Promise<{ scrollWidth: number; innerWidth: number; culprit: string }> {
  return page.evaluate(() => {
    let culprit = '';
    let widest = window.innerWidth;
    for (const el of document.querySelectorAll<HTMLElement>('body *')) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > widest + 0.5 && el.offsetParent !== null) {
        widest = r.right;
        culprit = `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ').join('.')}` : ''} right=${Math.round(r.right)}`;
      }
    }
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, culprit };
  });
}

export { REDIS_URL };
