import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CampaignService } from '../../src/campaign/campaign-service.js';
import { loadConfig } from '../../src/ops/config.js';
import { DestinationRules } from '../../src/policy/destinations.js';
import { ConfigError } from '../../src/errors.js';
import { startCampaignRig, type CampaignRig } from '../helpers/campaign-rig.js';
import { testHistory } from '../helpers/pg-test.js';
import { testPrefix, waitUntil } from '../helpers/redis-test.js';

/** Issue 15, item 7 (toll fraud): a CSV of +1 900… and +44 909… premium numbers was dialed as any other. */

const PREMIUM = ['+1900', '+44909'];
const SETTINGS = { endpoint: 'PJSIP/{number}@trunk', cps: 50 };
const csv = (text: string) => () => Readable.from([text]);

describe('DestinationRules', () => {
  const rules = new DestinationRules([], [...PREMIUM, '0900']);
  it.each([
    ['+19005550100', '+1900'],
    ['0019005550100', '+1900'],
    ['01119005550100', '+1900'],
    ['+449091234567', '+44909'],
    ['0900123456', '0900'],
  ])('blocks %s by %s', (number, rule) => {
    expect(rules.problem(number)).toBe(`${number} is in blockedDestinations (${rule})`);
  });
  it.each(['+12125550100', '+4930123456', '0030123', '19005550100'])('lets %s through', (number) => {
    expect(rules.problem(number)).toBeUndefined();
  });
  it('with allowedDestinations, any other number (a national one too) is refused, naming the list', () => {
    const only = new DestinationRules(['+49', '+33'], ['+49900']);
    expect(only.problem('+4930123456')).toBeUndefined();
    expect(only.problem('+33123456789')).toBeUndefined();
    expect(only.problem('+12125550100')).toBe('+12125550100 is outside allowedDestinations (+49, +33)');
    expect(only.problem('030123456')).toBe('030123456 is outside allowedDestinations (+49, +33)');
    expect(only.problem('+49900123456')).toBe('+49900123456 is in blockedDestinations (+49900)');
  });
  it('a prefix that is not + and digits is a configuration error naming the setting', () => {
    expect(() => new DestinationRules(['+49x'])).toThrow(/allowedDestinations: "\+49x" is not a number prefix/);
    let err: unknown;
    try {
      loadConfig({ BLOCKED_DESTINATIONS: '+1900,premium' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toContain('blockedDestinations: "premium" is not a number prefix like +1900 or 0900');
  });
});

describe('dial (one call from the command line)', () => {
  it('refuses an endpoint whose number is blocked (exit 2, rule named, nothing dialed); others go through', async () => {
    const { dial } = await import('../helpers/dial-cli.js');
    const env = { BLOCKED_DESTINATIONS: '+1900,+44909' };
    const blocked = await dial(['SIP/trunk/0019005550100', '1', 'default', 's', '1', '5', '--sim', '--time-scale', '0.01'], env);
    expect(blocked.code).toBe(2);
    expect(blocked.stderr).toMatch(/endpoint: 0019005550100 is in blockedDestinations \(\+1900\): not dialed/);
    expect(blocked.stdout).toBe('');
    const fine = await dial(['SIP/trunk/5550006', '1', 'default', 's', '1', '5', '--sim', '--time-scale', '0.01'], env);
    expect(JSON.parse(fine.stdout).disposition).toBe('BUSY');
    const only = await dial(['PJSIP/alice', '1', 'default', 's', '1', '5', '--sim'], { ALLOWED_DESTINATIONS: '+49' });
    expect(only.code).toBe(2);
    expect(only.stderr).toMatch(/PJSIP\/alice holds no number to check against allowedDestinations/);
  });
});

describe('import and dial time', () => {
  let rig: CampaignRig;
  let guarded: CampaignService;
  const prefix = testPrefix('destinations');
  beforeAll(async () => {
    // The rig's own service has no rules (as an import made before the lists were set); its worker has them.
    rig = await startCampaignRig(prefix, { worker: { blockedDestinations: PREMIUM } });
    guarded = new CampaignService({ redis: rig.redis, prefix, blockedDestinations: PREMIUM });
  });
  afterAll(async () => {
    await guarded?.close();
    await rig?.close();
  });

  const file = 'name,number\nAda,+4930555100\nBob,+19005550100\nCy,+449091234567\n';

  it('an import refuses a blocked number by line and column (strict), or skips it (--skip-invalid)', async () => {
    const strict = await guarded.create({ name: 'premium', settings: SETTINGS, open: csv(file) });
    expect(strict.created).toBe(false);
    expect(strict.errors).toEqual([
      { line: 3, reason: 'column 2 (number): +19005550100 is in blockedDestinations (+1900)' },
      { line: 4, reason: 'column 2 (number): +449091234567 is in blockedDestinations (+44909)' },
    ]);
    // Starting in an hour: this test's worker dials none of it.
    const later = { ...SETTINGS, startAt: new Date(Date.now() + 3600_000).toISOString() };
    const skipped = await guarded.create({ name: 'premium-skip', settings: later, open: csv(file), skipInvalid: true });
    expect(skipped).toMatchObject({ created: true, accepted: 1, rejected: 2 });
    const added = await guarded.add(skipped.id!, { open: csv('number\n+4930555101\n+19005550199\n') });
    expect(added).toMatchObject({ stored: false, errors: [{ line: 3, reason: 'column 1 (number): +19005550199 is in blockedDestinations (+1900)' }] });
    await guarded.cancel(skipped.id!);
  });

  it('a list bound for PostgreSQL is checked the same way', async () => {
    const { history, drop } = await testHistory('destinations');
    const pg = new CampaignService({ redis: rig.redis, prefix: `${prefix}-pg`, history, blockedDestinations: PREMIUM });
    try {
      const r = await pg.create({ name: 'premium-pg', settings: SETTINGS, open: csv(file) });
      expect(r.created).toBe(false);
      expect(r.errors.map((e) => e.line)).toEqual([3, 4]);
      expect(r.errors[0]!.reason).toBe('column 2 (number): +19005550100 is in blockedDestinations (+1900)');
    } finally {
      await pg.close();
      await drop();
    }
  });

  it('call-now refuses a blocked number before anything is created', async () => {
    const { placeCall } = await import('../../src/campaign/calls/call-now.js');
    await expect(placeCall(guarded, { number: '+19005550100', campaign: 'premium-now', settings: SETTINGS })).rejects.toThrow(
      /number: \+19005550100 is in blockedDestinations \(\+1900\)/,
    );
    expect(await guarded.store.get('premium-now').catch(() => undefined)).toBeUndefined();
  });

  it('the worker never dials a blocked number imported without the rules: it ends with the rule named', async () => {
    const r = await rig.svc.create({ name: 'old-import', settings: SETTINGS, open: csv(file) });
    expect(r).toMatchObject({ created: true, accepted: 3 });
    await waitUntil('campaign finished', async () => (await rig.svc.get(r.id!)).state === 'finished', 30_000);
    const finals = [];
    for await (const f of rig.svc.finals(r.id!)) finals.push(f);
    const byNumber = Object.fromEntries(finals.map((f) => [f.number, f]));
    expect(byNumber['+19005550100']).toMatchObject({ disposition: 'CANCELLED', message: 'not dialed: +19005550100 is in blockedDestinations (+1900)' });
    expect(byNumber['+449091234567']).toMatchObject({ disposition: 'CANCELLED', message: 'not dialed: +449091234567 is in blockedDestinations (+44909)' });
    expect(byNumber['+4930555100']?.disposition).not.toBe('CANCELLED');
    expect(rig.sim.stats.originates).toBe(1);
  });
});
