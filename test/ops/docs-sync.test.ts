import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ariTarget, loadConfig } from '../../src/ops/config.js';
import { CHECK_IDS } from '../../src/ops/doctor-check.js';
import { SETTINGS } from '../../src/ops/settings.js';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const envFile = (path: string) =>
  Object.fromEntries(
    read(path)
      .split('\n')
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );

describe('docs/production.md and scripts/deploy stay in step with the code', () => {
  const doc = read('docs/production.md');

  it('every setting is in the configuration table with its variable and flag', () => {
    for (const s of SETTINGS) {
      const row = doc.split('\n').find((l) => l.startsWith(`| \`${s.name}\` |`));
      expect(row, s.name).toBeDefined();
      if (s.env) expect(row, s.name).toContain(`\`${s.env}\``);
      if (s.flag) expect(row, s.name).toContain(`\`${s.flag}\``);
    }
  });

  it('every doctor check id is listed', () => {
    for (const id of CHECK_IDS) expect(doc, id).toContain(`\`${id}\``);
  });

  it('the example config, secrets and instance files load, and pick the server they name', () => {
    const env = { ...envFile('scripts/deploy/common.example.env'), ...envFile('scripts/deploy/worker.example.env') };
    const config = loadConfig(env, { file: fileURLToPath(new URL('../../scripts/deploy/dialer.example.yaml', import.meta.url)) });
    expect(ariTarget(config)).toMatchObject({ name: 'pbx-a', user: 'dialer', password: 'change-me', channelCap: 200 });
    expect(config.metricsPort).toBe(9464);
    expect(config.trunks).toEqual([{ name: 'pstn', match: 'PJSIP/*@pstn', cps: 20, maxChannels: 60 }]);
  });

  it('systemd gives a draining worker longer than its grace', () => {
    const unit = read('scripts/deploy/ari-dialer-worker@.service');
    const stop = Number(/^TimeoutStopSec=(\d+)$/m.exec(unit)?.[1]);
    expect(unit).toMatch(/^KillSignal=SIGTERM$/m);
    expect(stop).toBeGreaterThan(loadConfig({}).shutdownGraceS);
    expect(read('compose.yaml')).toMatch(/stop_grace_period: 60s/);
  });
});
