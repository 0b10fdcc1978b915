import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { matches, trunkFor } from '../../src/campaign/pacing/trunk.js';
import { loadConfig } from '../../src/ops/config.js';
import { ConfigError } from '../../src/errors.js';
import { describeConfig, renderConfig } from '../../src/ops/config-print.js';

const dir = mkdtempSync(join(tmpdir(), 'ari-dialer-trunks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('config file: trunks', () => {
  it('reads match and prefix entries, in order', () => {
    const path = file(
      't.yaml',
      'trunks:\n  - { name: pstn, match: "PJSIP/*@pstn", cps: 20, maxChannels: 60 }\n  - { name: old, prefix: "SIP/trunk/", cps: 2.5 }\n',
    );
    const c = loadConfig({}, { file: path });
    expect(c.trunks).toEqual([
      { name: 'pstn', match: 'PJSIP/*@pstn', cps: 20, maxChannels: 60 },
      { name: 'old', match: 'SIP/trunk/', cps: 2.5 },
    ]);
    expect(Object.isFrozen(c.trunks[0])).toBe(true);
    expect(renderConfig(describeConfig(c))).toMatch(
      /trunks +2 trunks .*\n {2}- pstn: match=PJSIP\/\*@pstn cps=20 maxChannels=60\n {2}- old: match=SIP\/trunk\/ cps=2.5/,
    );
  });

  it('names every bad entry and field at once', () => {
    const path = file(
      'bad.yaml',
      'trunks:\n  - { name: "a b", match: "x", cps: 0, port: 1 }\n  - { name: t, match: "SIP/*", prefix: "SIP/" , maxChannels: 1.5 }\n  - { name: u, prefix: "SIP/*" , cps: 1 }\n  - { name: v, match: "SIP/v/" }\n',
    );
    let problems: readonly string[] = [];
    try {
      loadConfig({}, { file: path });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      problems = (err as ConfigError).problems;
    }
    expect(problems).toEqual([
      `${path}: trunks[0]: unknown key "port" (known: name, match, prefix, cps, maxChannels)`,
      `${path}: trunks[0].name: must be a name of letters, digits, ".", "_" or "-", got "a b"`,
      `${path}: trunks[0].match: must be a dial string pattern like "PJSIP/*@pstn" or "SIP/trunk/" (technology first), got "x"`,
      `${path}: trunks[0].cps: must be a number from 0.01 to 1000, got 0`,
      `${path}: trunks[1]: give match (e.g. "PJSIP/*@pstn") or prefix (e.g. "SIP/trunk/"), one of the two`,
      `${path}: trunks[1].maxChannels: must be a whole number from 1 to 100000, got 1.5`,
      `${path}: trunks[2].prefix: a prefix has no "*" (use match for a pattern), got "SIP/*"`,
      `${path}: trunks[3]: give cps, maxChannels or both (a trunk without limits does nothing)`,
    ]);
  });
});

describe('trunkFor', () => {
  const trunks = [
    { name: 'pstn', match: 'PJSIP/*@pstn', cps: 20 },
    { name: 'legacy', match: 'SIP/trunk/', maxChannels: 10 },
    { name: 'any-pjsip', match: 'PJSIP/*', cps: 100 },
  ];
  it('takes the first entry that matches the dial string', () => {
    expect(trunkFor('PJSIP/+4930123@pstn', trunks)?.name).toBe('pstn');
    expect(trunkFor('SIP/trunk/+4930123', trunks)?.name).toBe('legacy');
    expect(trunkFor('PJSIP/+4930123@other', trunks)?.name).toBe('any-pjsip');
    expect(trunkFor('IAX2/peer/123', trunks)).toBeUndefined();
  });
  it('a pattern spans the whole string; regex characters are literal', () => {
    expect(matches('PJSIP/*@pstn', 'PJSIP/1@pstn2')).toBe(false);
    expect(matches('PJSIP/*@p.tn', 'PJSIP/1@pstn')).toBe(false);
    expect(matches('SIP/trunk/', 'SIP/trunkX/1')).toBe(false);
  });
});
