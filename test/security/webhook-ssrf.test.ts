import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebhookJobData } from '../../src/campaign/webhook-events.js';
import { reportResult } from '../../jobs/report-result.js';
import { addressClass, AllowedHosts } from '../../src/webhook/address-rules.js';
import { WebhookDestinationError, WebhookDestinationGuard, type Resolve } from '../../src/webhook/destination-guard.js';
import { startCampaignRig, type CampaignRig } from '../helpers/campaign-rig.js';
import { testPrefix, waitUntil } from '../helpers/redis-test.js';

/**
 * Webhook SSRF (issue 15, item 2). Address classes are judged as a unit, connecting nowhere; deliveries are tried
 * only against a listener on 127.0.0.1, reached by names that resolve there. Nothing here may reach 10.x, 169.254.x
 * or any other non-loopback address, even if the guard failed.
 */

let listener: Server;
let port: number;
const received: string[] = [];

beforeAll(async () => {
  listener = createServer((req, res) => {
    received.push(req.url ?? '');
    req.resume().on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  port = (listener.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((r) => listener.close(r));
});

describe('address classes (no connection made)', () => {
  const cases: Array<[string, string | undefined]> = [
    ['169.254.169.254', 'link-local'],
    ['127.0.0.1', 'loopback'],
    ['127.9.8.7', 'loopback'],
    ['::1', 'loopback'],
    ['10.0.0.5', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'shared (carrier-grade NAT)'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456::1', 'unique-local'],
    ['fe80::1', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['64:ff9b::a00:5', 'private'],
    ['172.32.0.1', undefined],
    ['100.128.0.1', undefined],
    ['8.8.8.8', undefined],
    ['2606:4700::1111', undefined],
  ];
  for (const [address, cls] of cases) {
    it(`${address} → ${cls ?? 'public'}`, () => expect(addressClass(address)).toBe(cls));
  }
});

describe('the URLs of the issue are refused at creation, naming the rule and the setting', () => {
  const guard = new WebhookDestinationGuard([], async () => [{ address: '93.184.216.34', family: 4 }]);
  const refused: Array<[string, string]> = [
    ['http://169.254.169.254/latest/meta-data/', 'link-local'],
    ['http://127.0.0.1:6379/', 'loopback'],
    ['http://[::1]:6379/', 'loopback'],
    ['http://10.0.0.5/', 'private'],
    ['http://user:pw@10.0.0.5/x', 'credentials'],
    ['http://2130706433/', 'loopback'],
    ['http://0x7f.1/', 'loopback'],
    ['http://localhost:8080/', 'loopback'],
    ['http://[fd00::5]/', 'unique-local'],
    ['http://100.64.1.1/', 'shared (carrier-grade NAT)'],
    ['http://[::ffff:169.254.169.254]/', 'link-local'],
    ['ftp://crm.example/x', 'http-url'],
  ];
  for (const [url, rule] of refused) {
    it(url, async () => {
      const err = await guard.check(url).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(WebhookDestinationError);
      expect((err as WebhookDestinationError).rule).toBe(rule);
      expect((err as Error).message).toContain(`rule: ${rule}`);
      expect((err as Error).message).toContain('webhookAllowHosts');
      expect((err as Error).message).not.toContain('pw@');
    });
  }

  it('a name that resolves inside is refused; one that resolves outside passes', async () => {
    const inside = new WebhookDestinationGuard([], async (h) => [{ address: h === 'crm.example' ? '10.1.2.3' : '93.184.216.34', family: 4 }]);
    await expect(inside.check('https://crm.example/hook')).rejects.toThrow(/crm\.example resolves to 10\.1\.2\.3, a private address/);
    await expect(inside.check('https://hooks.example/hook')).resolves.toBeUndefined();
  });

  it('webhookAllowHosts lets named hosts and networks through, and nothing else', async () => {
    const g = new WebhookDestinationGuard(['crm.internal', '10.0.0.0/8', '127.0.0.1'], async () => [{ address: '10.9.9.9', family: 4 }]);
    await expect(g.check('http://10.0.0.5/')).resolves.toBeUndefined();
    await expect(g.check('http://crm.internal/')).resolves.toBeUndefined();
    await expect(g.check('http://user:pw@10.0.0.5/x')).resolves.toBeUndefined();
    await expect(g.check('http://127.0.0.1:6379/')).resolves.toBeUndefined();
    await expect(g.check('http://192.168.0.1/')).rejects.toThrow(/rule: private/);
    await expect(g.check('http://[::1]/')).rejects.toThrow(/rule: loopback/);
    expect(() => new AllowedHosts(['10.0.0.0/33', 'a b'])).toThrow(/webhookAllowHosts: not a host name, address or CIDR: "10.0.0.0\/33", "a b"/);
  });
});

describe('at delivery, after DNS: a name resolving to 127.0.0.1 is refused when it connects', () => {
  const job = (url: string): Job<WebhookJobData> =>
    ({
      id: 'wh-1',
      data: { url, idempotencyKey: 'c:1', event: { event: 'campaign.paused', campaign_id: 'c', reason: 'test', by: 'breaker', at: new Date().toISOString() } },
    }) as Job<WebhookJobData>;

  it('a rebinding name (outside at creation, loopback at delivery) never reaches the listener', async () => {
    let calls = 0;
    // The first answer is what creation saw; every later one points at this machine.
    const rebinding: Resolve = async () => (calls++ === 0 ? [{ address: '93.184.216.34', family: 4 }] : [{ address: '127.0.0.1', family: 4 }]);
    const guard = new WebhookDestinationGuard([], rebinding);
    const url = `http://crm.rebind.test:${port}/rebound`;
    await guard.check(url);
    const before = received.length;
    const err = await reportResult({ log: (await import('../../src/log.js')).silentLogger, guard })(job(url)).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.name).toBe('UnrecoverableError');
    expect(err?.message).toMatch(/crm\.rebind\.test resolves to 127\.0\.0\.1, a loopback address \(rule: loopback;.*webhookAllowHosts/);
    expect(received.length).toBe(before);
  });

  it('the same delivery goes through when webhookAllowHosts lists the address', async () => {
    const guard = new WebhookDestinationGuard(['127.0.0.1'], async () => [{ address: '127.0.0.1', family: 4 }]);
    const res = await reportResult({ log: (await import('../../src/log.js')).silentLogger, guard })(job(`http://crm.allowed.test:${port}/allowed`));
    expect(res.status).toBe(204);
    expect(received).toContain('/allowed');
  });
});

describe('a campaign whose webhook points inside', () => {
  let rig: CampaignRig;
  beforeAll(async () => {
    // The service was told 127.0.0.1 is fine (an older config); the worker was not: every delivery is refused.
    rig = await startCampaignRig(testPrefix('ssrf'), { webhookAllowHosts: ['127.0.0.1'], worker: { webhookAllowHosts: [] } });
  });
  afterAll(async () => rig?.close());

  it('is refused at creation by a service without the allowance', async () => {
    const { CampaignService } = await import('../../src/campaign/campaign-service.js');
    const strict = new CampaignService({ redis: rig.redis, prefix: rig.svc.keys.prefix });
    const err = await strict
      .create({
        name: 'ssrf',
        settings: { endpoint: 'SIP/trunk/{number}', webhook: `http://127.0.0.1:${port}/hook` },
        open: () => Readable.from(['number\n4930100\n']),
      })
      .then(
        () => undefined,
        (e: Error & { code?: string }) => e,
      );
    expect(err?.code).toBe('WEBHOOK_REFUSED');
    expect((await strict.list()).length).toBe(0);
  });

  it('each delivery fails with the rule as its reason: counted and kept, never dropped silently', async () => {
    const before = received.length;
    const r = await rig.svc.create({
      name: 'ssrf',
      settings: { endpoint: 'SIP/trunk/{number}', cps: 50, timeoutS: 5, retry: 'none', webhook: { url: `http://127.0.0.1:${port}/hook`, attempts: 5 } },
      open: () => Readable.from(['number\n4930100\n4930101\n']),
    });
    await waitUntil('deliveries refused', async () => (await rig.svc.status(r.id!)).counters.webhookFailed === 2, 15_000);
    const failed = await rig.svc.webhookQueue(r.id!).getJobs(['failed']);
    expect(failed).toHaveLength(2);
    for (const j of failed) {
      expect(j.failedReason).toMatch(/127\.0\.0\.1, a loopback address \(rule: loopback; .*webhookAllowHosts/);
      expect(j.attemptsMade).toBe(1);
    }
    expect(received.length).toBe(before);
  });
});
