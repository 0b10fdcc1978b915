import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configFileArg } from '../../src/cli/main.js';
import { applyFlags, ariTarget, loadConfig } from '../../src/ops/config.js';
import { ConfigError } from '../../src/errors.js';
import { describeConfig, renderConfig } from '../../src/ops/config-print.js';

const dir = mkdtempSync(join(tmpdir(), 'ari-dialer-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** The problems a ConfigError lists (the test fails if loading succeeds or throws something else). */
function problemsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig: defaults, environment, file, flags', () => {
  it('has the documented defaults, each marked as such', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      ariUser: 'asterisk',
      ariPassword: '',
      prefix: 'ari-dialer',
      channelCap: 100,
      logLevel: 'info',
      logPretty: false,
      metricsHost: '127.0.0.1',
      shutdownGraceS: 30,
    });
    expect(c.ariUrl).toBeUndefined();
    expect(c.metricsPort).toBeUndefined();
    expect(c.asterisks).toEqual([]);
    expect(Object.values(c.sources).every((s) => s === 'default')).toBe(true);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('flags beat the environment, which beats the file (YAML), which beats the defaults', () => {
    const yaml = file('prec.yaml', 'channelCap: 10\nprefix: "{from-file}"\nlogLevel: warn\nmetricsPort: 9464\n');
    const env = { CHANNEL_CAP: '20', DIALER_PREFIX: '{from-env}' };
    const base = loadConfig(env, { file: yaml });
    expect(base).toMatchObject({ channelCap: 20, prefix: '{from-env}', logLevel: 'warn', metricsPort: 9464, ariUser: 'asterisk' });
    expect(base.sources).toMatchObject({ channelCap: 'env', prefix: 'env', logLevel: 'file', metricsPort: 'file', ariUser: 'default' });
    const flagged = applyFlags(base, { channelCap: '30', logPretty: true });
    expect(flagged).toMatchObject({ channelCap: 30, prefix: '{from-env}', logPretty: true });
    expect(flagged.sources).toMatchObject({ channelCap: 'flag', logPretty: 'flag', prefix: 'env' });
    expect(applyFlags(base, { channelCap: undefined })).toBe(base);
  });

  it('reads JSON files too, and DIALER_CONFIG names the file when --config does not', () => {
    const json = file('dialer.json', JSON.stringify({ ariUrl: 'http://10.0.0.1:8088/ari', ariUser: 'dialer', channelCap: 7 }));
    const c = loadConfig({ DIALER_CONFIG: json });
    expect(c).toMatchObject({ ariUrl: 'http://10.0.0.1:8088/ari', ariUser: 'dialer', channelCap: 7, configFile: json });
    expect(c.sources.ariUrl).toBe('file');
  });

  it('an empty environment variable counts as unset', () => {
    expect(loadConfig({ ARI_APP: '', CHANNEL_CAP: '' })).toMatchObject({ channelCap: 100 });
  });
});

describe('loadConfig: every problem at once, each naming where it came from', () => {
  it('bad values from the environment, flags and the file', () => {
    const yaml = file('bad.yaml', 'dashboardPort: 99999\nlogPretty: maybe\n');
    const problems = problemsOf(() =>
      loadConfig({ CHANNEL_CAP: 'lots', ARI_URL: 'not a url', LOG_LEVEL: 'loud' }, { file: yaml, flags: { metricsPort: '-1' } }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        'CHANNEL_CAP: must be a whole number from 1 to 100000, got "lots"',
        'ARI_URL: not a URL',
        'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
        `${yaml}: dashboardPort: must be a whole number from 0 to 65535, got 99999`,
        `${yaml}: logPretty: must be true or false (or 1/0, yes/no), got "maybe"`,
        '--metrics-port: must be a whole number from 0 to 65535, got "-1"',
      ]),
    );
    expect(problems).toHaveLength(6);
  });

  it('an unknown key in the file is an error that names it and suggests the right one', () => {
    const yaml = file('typo.yaml', 'chanelCap: 5\nRedisUrl: redis://x\ncolour: blue\n');
    expect(problemsOf(() => loadConfig({}, { file: yaml }))).toEqual([
      `${yaml}: unknown key "chanelCap" (did you mean "channelCap"?)`,
      `${yaml}: unknown key "RedisUrl" (did you mean "redisUrl"?)`,
      `${yaml}: unknown key "colour"`,
    ]);
  });

  it('a missing file, a wrong extension and bad syntax are named', () => {
    expect(problemsOf(() => loadConfig({}, { file: join(dir, 'nope.yaml') }))).toEqual([`${join(dir, 'nope.yaml')}: no such file`]);
    const ini = file('dialer.ini', 'a=1');
    expect(problemsOf(() => loadConfig({}, { file: ini }))).toEqual([`${ini}: config files must end in .json, .yaml or .yml`]);
    const broken = file('broken.json', '{"channelCap": ');
    expect(problemsOf(() => loadConfig({}, { file: broken }))[0]).toMatch(/broken\.json: not valid JSON/);
    const list = file('list.yaml', '- a\n- b\n');
    expect(problemsOf(() => loadConfig({}, { file: list }))).toEqual([`${list}: must hold an object of settings (key: value)`]);
  });
});

describe('several Asterisk servers', () => {
  const servers = file(
    'servers.yaml',
    [
      'ariUser: dialer',
      'asterisks:',
      '  - { name: pbx-a, url: "http://10.0.0.11:8088/ari", password: a-secret, channelCap: 200 }',
      '  - { name: pbx-b, url: "http://10.0.0.12:8088/asterisk/ari", user: other, passwordEnv: PBX_B_PASSWORD }',
    ].join('\n'),
  );

  it('a worker picks one with --asterisk; its cap applies unless --channel-cap is given', () => {
    const c = loadConfig({ PBX_B_PASSWORD: 'b-secret' }, { file: servers, flags: { asterisk: 'pbx-a' } });
    expect(ariTarget(c)).toEqual({ name: 'pbx-a', url: 'http://10.0.0.11:8088/ari', user: 'dialer', password: 'a-secret', channelCap: 200 });
    expect(ariTarget(applyFlags(c, { channelCap: '5' })).channelCap).toBe(5);
    const b = applyFlags(c, { asterisk: 'pbx-b' });
    expect(ariTarget(b)).toEqual({ name: 'pbx-b', url: 'http://10.0.0.12:8088/asterisk/ari', user: 'other', password: 'b-secret', channelCap: 100 });
  });

  it('without --asterisk, several servers are an error that lists them', () => {
    const c = loadConfig({ PBX_B_PASSWORD: 'x' }, { file: servers });
    expect(problemsOf(() => ariTarget(c))[0]).toMatch(/lists 2 Asterisk servers \(pbx-a, pbx-b\); pick the one this process serves with --asterisk NAME/);
  });

  it('an unknown name, a bad entry and an unset passwordEnv are named', () => {
    expect(problemsOf(() => loadConfig({ PBX_B_PASSWORD: 'x' }, { file: servers, flags: { asterisk: 'pbx-z' } }))).toEqual([
      'asterisk: no server named "pbx-z" in the config file (configured: pbx-a, pbx-b)',
    ]);
    expect(problemsOf(() => loadConfig({}, { file: servers }))).toEqual([`${servers}: asterisks[1].passwordEnv: the variable PBX_B_PASSWORD is not set`]);
    const bad = file(
      'bad-servers.yaml',
      'asterisks:\n  - { name: "a b", url: "ftp://x", channelCap: 0, port: 1 }\n  - { name: pbx, url: "http://x/ari" }\n  - { name: pbx, url: "http://y/ari" }\n',
    );
    expect(problemsOf(() => loadConfig({}, { file: bad }))).toEqual([
      `${bad}: asterisks[0]: unknown key "port" (known: name, url, user, password, passwordEnv, channelCap)`,
      `${bad}: asterisks[0].name: must be a name of letters, digits, ".", "_" or "-", got "a b"`,
      `${bad}: asterisks[0].url: must be an http:// or https:// URL, got "ftp://x"`,
      `${bad}: asterisks[0].channelCap: must be a whole number from 1 to 100000, got 0`,
      `${bad}: asterisks[2].name: "pbx" is listed twice`,
    ]);
  });

  it('dashboardTokens: each bad entry is named by index and field, never echoing a token', () => {
    const bad = file(
      'bad-tokens.yaml',
      'dashboardTokens:\n  - { name: alice, role: admin, token: secret-token-value-0123456789 }\n  - { name: bob, role: viewer }\n  - { name: carol, role: viewer, sha256: "12ab" }\n',
    );
    const problems = problemsOf(() => loadConfig({}, { file: bad }));
    expect(problems).toEqual([
      `${bad}: dashboardTokens[0].role: must be operator or viewer, got "admin"`,
      `${bad}: dashboardTokens[1]: give token or sha256 (printf %s "$TOKEN" | sha256sum), one of the two`,
      `${bad}: dashboardTokens[2].sha256: must be 64 hex digits`,
    ]);
    expect(problems.join('\n')).not.toContain('secret-token-value');
  });

  it('ARI_URL alone, or nothing at all (the simulator)', () => {
    expect(ariTarget(loadConfig({ ARI_URL: 'http://h:8088/ari', ARI_PASSWORD: 'p' }))).toEqual({
      url: 'http://h:8088/ari',
      user: 'asterisk',
      password: 'p',
      channelCap: 100,
    });
    expect(ariTarget(loadConfig({})).url).toBeUndefined();
  });
});

describe('config print', () => {
  it('masks every secret, shows each source, and never prints a password', () => {
    const yaml = file(
      'print.yaml',
      'asterisks:\n  - { name: pbx-a, url: "http://u:urlpass@10.0.0.11:8088/ari", password: filepass }\n' +
        `dashboardTokens:\n  - { name: alice, role: operator, token: alice-file-token-0123456789 }\n  - { name: bob, role: viewer, sha256: "${'ab'.repeat(32)}" }\n`,
    );
    const c = applyFlags(
      loadConfig(
        {
          ARI_PASSWORD: 'envpass',
          REDIS_URL: 'redis://:redispass@10.0.0.5:6379',
          DASHBOARD_TOKEN: 'tok-operator',
          WEBHOOK_SECRET: 'hooksecret',
          CHANNEL_CAP: '9',
        },
        { file: yaml },
      ),
      { logLevel: 'debug' },
    );
    const lines = describeConfig(c);
    const text = renderConfig(lines);
    for (const secret of ['envpass', 'redispass', 'tok-operator', 'hooksecret', 'filepass', 'urlpass', 'alice-file-token']) expect(text).not.toContain(secret);
    expect(JSON.stringify(lines)).not.toMatch(/envpass|redispass|tok-operator|hooksecret|filepass|urlpass|alice-file-token/);
    expect(c.dashboardTokens).toEqual([
      { name: 'alice', role: 'operator', token: 'alice-file-token-0123456789' },
      { name: 'bob', role: 'viewer', sha256: 'ab'.repeat(32) },
    ]);
    expect(text).toContain('  - alice: role=operator token=********');
    expect(text).toMatch(/^ariPassword\s+\*{8}\s+\(env ARI_PASSWORD\)$/m);
    expect(text).toMatch(/^redisUrl\s+redis:\/\/:\*{8}@10\.0\.0\.5:6379\s+\(env REDIS_URL\)$/m);
    expect(text).toMatch(/^channelCap\s+9\s+\(env CHANNEL_CAP\)$/m);
    expect(text).toMatch(/^logLevel\s+debug\s+\(flag --log-level\)$/m);
    expect(text).toMatch(/^prefix\s+ari-dialer\s+\(default\)$/m);
    expect(text).toMatch(/^dashboardViewerToken\s+\(not set\)\s+\(default\)$/m);
    // Columns are as wide as the longest setting name: match the spacing loosely.
    expect(text).toMatch(new RegExp(`^asterisks\\s+1 server  \\(file ${yaml.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\)$`, 'm'));
    expect(text).toContain('  - pbx-a: url=http://u:********@10.0.0.11:8088/ari password=********');
  });

  it('--config is found anywhere on the command line', () => {
    expect(configFileArg(['worker', '--config', 'a.yaml'])).toBe('a.yaml');
    expect(configFileArg(['--config=b.json', 'doctor'])).toBe('b.json');
    expect(configFileArg(['worker', '--', '--config', 'x'])).toBeUndefined();
  });
});
