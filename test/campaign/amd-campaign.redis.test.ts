import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CampaignService } from '../../src/campaign/campaign-service.js';
import { DialerMetrics } from '../../src/ops/dialer-metrics.js';
import type { AttemptRecord } from '../../src/report/summarize.js';
import { summarizeCampaign } from '../../src/report/write-report.js';
import type { AriSim } from '../../src/sim/index.js';
import { testPrefix, waitUntil } from '../helpers/redis-test.js';
import { startCampaignRig, type CampaignRig } from '../helpers/campaign-rig.js';
import { collect, startJsonReceiver, type JsonReceiver } from '../helpers/json-receiver.js';

let rig: CampaignRig;
let sim: AriSim;
let svc: CampaignService;
let hooks: JsonReceiver<{ event: string; result: AttemptRecord }>;
const metrics = new DialerMetrics({ processMetrics: false });
const prefix = testPrefix('amd');

beforeAll(async () => {
  rig = await startCampaignRig(prefix, { webhookAllowHosts: ['127.0.0.1'], worker: { observer: metrics.callObserver() } });
  ({ sim, svc } = rig);
  hooks = await startJsonReceiver();
});

afterAll(async () => {
  await rig.close();
  await hooks.close();
});

describe('a campaign with --amd and machine=1@...', () => {
  it('people go on once; machines are hung up and called once more; results, webhook, summary and metrics carry the verdict', async () => {
    // The simulator's AMD: a number ending in 4 is a machine, the rest answer as people.
    const humans = ['+15550002001', '+15550002002', '+15550002003'];
    const machines = ['+15550002004', '+15550002014'];
    const r = await svc.create({
      name: 'amd',
      settings: {
        endpoint: 'SIP/trunk/{number}',
        cps: 100,
        maxConcurrent: 10,
        timeoutS: 5,
        retry: 'busy=1@20ms,machine=1@30ms',
        amd: { onMachine: 'hangup' },
        webhook: { url: hooks.url, attempts: 1, ratePerSecond: 100 },
      },
      open: () => Readable.from([`number\n${[...humans, ...machines].join('\n')}\n`]),
    });
    expect(r).toMatchObject({ created: true, accepted: 5 });
    const id = r.id!;
    expect((await svc.get(id)).settings.amd).toMatchObject({ onMachine: { action: 'hangup' }, notSureAs: 'human', tunables: { greeting: 2000 } });
    await waitUntil('campaign finished', async () => (await svc.get(id)).state === 'finished', 30_000);

    const attempts = await collect(svc.attempts(id));
    for (const n of humans) {
      const mine = attempts.filter((a) => a.number === n);
      expect(mine, n).toHaveLength(1);
      expect(mine[0]).toMatchObject({ disposition: 'ANSWERED', amd_status: 'HUMAN', continued: true, final: true });
    }
    for (const n of machines) {
      const mine = attempts.filter((a) => a.number === n).sort((a, b) => a.attempt - b.attempt);
      expect(
        mine.map((a) => [a.attempt, a.amd_status, a.continued, a.final]),
        n,
      ).toEqual([
        [1, 'MACHINE', false, false],
        [2, 'MACHINE', false, true],
      ]);
      expect(sim.stats.originatesByEndpoint.get(`SIP/trunk/${n}`)).toBe(2);
    }

    await waitUntil('webhooks delivered', () => hooks.posted.length === 5, 10_000);
    expect(hooks.posted.find((p) => p.result.number === machines[0])?.result).toMatchObject({ amd_status: 'MACHINE', amd_cause: 'LONGGREETING-2000-2000' });
    expect(hooks.posted.find((p) => p.result.number === humans[0])?.result.amd_ms).toBeGreaterThan(0);

    const summary = await summarizeCampaign(svc, id);
    expect(summary.amd).toMatchObject({ calls: 7, by_status: { HUMAN: 3, MACHINE: 4 } });
    expect(summary.amd!.human_rate).toBeCloseTo(3 / 7, 5);
    expect(summary.amd!.machine_rate).toBeCloseTo(4 / 7, 5);

    const amdTotal = (await metrics.amdVerdicts.get()).values;
    expect(amdTotal.find((v) => v.labels.status === 'MACHINE')?.value).toBe(4);
    expect(amdTotal.find((v) => v.labels.status === 'HUMAN')?.value).toBe(3);
  });
});
