import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keys } from '../../src/store/keys.js';
import { AriSim } from '../../src/sim/index.js';
import { dropPrefix, REDIS_URL, testPrefix, testRedis } from '../helpers/redis-test.js';
import { ARI_DIALER, runCli as run } from '../helpers/run-cli.js';

const DIAL = fileURLToPath(new URL('../../bin/dial.js', import.meta.url));

let sim: AriSim;
let prefixed: AriSim;
let html: Server;
let htmlPort = 0;
let dir: string;
let redis: Redis;
const prefix = testPrefix('input-cli');

beforeAll(async () => {
  sim = await AriSim.start({ users: { dialer: 'input-pass' }, timeScale: 0.01 });
  prefixed = await AriSim.start({ users: { dialer: 'input-pass' }, timeScale: 0.01, prefix: 'asterisk' });
  // Some other web server on the port ARI_URL names.
  html = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Welcome to nginx!</title>'));
  await new Promise<void>((r) => html.listen(0, '127.0.0.1', r));
  htmlPort = (html.address() as AddressInfo).port;
  dir = await mkdtemp(join(tmpdir(), 'ari-dialer-input-'));
  redis = testRedis();
});

afterAll(async () => {
  await sim.stop();
  await prefixed.stop();
  await new Promise((r) => html.close(r));
  await rm(dir, { recursive: true, force: true });
  await dropPrefix(redis, prefix);
  redis.disconnect();
});

const ari = (over: Record<string, string> = {}) => ({ ARI_URL: sim.url, ARI_USER: 'dialer', ARI_PASSWORD: 'input-pass', ...over });
const OK = ['SIP/trunk/5550001', '111', 'default', 's', '1', '5'];

describe.concurrent('dial: bad arguments → exit 2, the message names the argument, nothing dialed', () => {
  it.each([
    ['missing timeout', OK.slice(0, 5), /missing required argument 'timeout'/],
    ['no arguments at all', [], /missing required argument 'endpoint'/],
    ['an extra argument', [...OK, 'extra'], /unexpected extra argument "extra"/],
    ['non-numeric priority', ['SIP/trunk/5550001', '111', 'default', 's', 'first', '5'], /^dial: priority: must be a whole number, got "first"$/m],
    ['non-numeric timeout', ['SIP/trunk/5550001', '111', 'default', 's', '1', '5s'], /^dial: timeout: must be a whole number, got "5s"$/m],
    ['zero timeout', ['SIP/trunk/5550001', '111', 'default', 's', '1', '0'], /^dial: timeout: must be at least 1, got 0$/m],
    ['negative timeout', ['SIP/trunk/5550001', '111', 'default', 's', '1', '-30'], /^dial: timeout: must be at least 1, got -30$/m],
    [
      'a technology that is not a driver name',
      ['FOO BAR/5550001', '111', 'default', 's', '1', '5'],
      /^dial: endpoint: the channel technology "FOO BAR" may hold only letters, digits, _ and -/m,
    ],
    ['endpoint without a resource', ['SIP/', '111', 'default', 's', '1', '5'], /^dial: endpoint: must look like TECH\/resource/m],
  ])('%s', async (_name, args, message) => {
    const before = sim.stats.originates;
    const r = await run(DIAL, args, ari());
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
    expect(sim.stats.originates).toBe(before);
  });
});

describe.concurrent('dial: ARI says no → exit 3 with a message that says what is wrong', () => {
  const cases: Array<[string, () => Record<string, string>, string[], RegExp]> = [
    [
      '401: wrong password',
      () => ari({ ARI_PASSWORD: 'not-it' }),
      OK,
      /^ARI authentication failed for user dialer \(check the \[dialer\] section of ari\.conf and its password\)$/,
    ],
    [
      "bad endpoint (no such driver): Asterisk's own message",
      () => ari(),
      ['Motif/nobody', '111', 'default', 's', '1', '5'],
      /^Asterisk could not allocate a channel for Motif\/nobody \(Asterisk said: Allocation failed\): check that the Motif channel driver is loaded/,
    ],
    [
      'wrong URL prefix (http.conf prefix missing)',
      () => ari({ ARI_URL: prefixed.url.replace('/asterisk/ari', '/ari') }),
      OK,
      /does not look like ARI .*check the URL and http\.conf's prefix/,
    ],
    [
      'wrong URL prefix (a prefix that is not there)',
      () => ari({ ARI_URL: sim.url.replace('/ari', '/asterisk/ari') }),
      OK,
      /does not look like ARI .*check the URL and http\.conf's prefix/,
    ],
    [
      'a web server that is not ARI on the port',
      () => ari({ ARI_URL: `http://127.0.0.1:${htmlPort}/ari` }),
      OK,
      /^http:\/\/127\.0\.0\.1:\d+\/ari does not look like ARI \(GET \/events answered 200 instead of a WebSocket upgrade\)/,
    ],
    ['nothing listening', () => ari({ ARI_URL: 'http://127.0.0.1:1/ari' }), OK, /^cannot reach ARI at http:\/\/127\.0\.0\.1:1\/ari: ECONNREFUSED$/],
  ];
  it.each(cases)('%s', async (_name, env, args, message) => {
    const r = await run(DIAL, args, env());
    expect(r.code, r.stderr).toBe(3);
    const result = JSON.parse(r.stdout) as { status: string; message: string };
    expect(result.status).toBe('error');
    expect(result.message).toMatch(message);
    expect(r.stdout + r.stderr).not.toContain('not-it');
  });

  it.each([['a space'], ['two,apps']])('a Stasis app name Asterisk cannot take (%s) → exit 2 naming it', async (app) => {
    const r = await run(DIAL, OK, ari({ ARI_APP: app }));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/app/i);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe.concurrent('ari-dialer campaign create with a bad CSV: exit code, lines on stderr, nothing created', () => {
  const keys = new Keys(prefix);
  const env = () => ({ REDIS_URL, DIALER_PREFIX: prefix });
  it.each([
    [
      'bad rows',
      'number,name\n+15550001,A\nnot-a-number,B\n+15550002,C\n\nalso bad,D\n',
      2,
      [/upload rejected: 2 bad row\(s\); nothing was enqueued/, /^ {2}line 3: number "not-a-number"/m, /^ {2}line 6: number "also bad"/m],
    ],
    ['an unclosed quote', 'number,name\n+15550001,A\n+15550002,"B\n+15550003,C\n', 2, [/^ari-dialer: line 3: unclosed quote/m]],
    ['no number column', 'phone_no,name\n+15550001,A\n', 2, [/^ari-dialer: line 1: no "number" or "phone" column; the header has "phone_no", "name"/m]],
    ['an empty file', '', 2, [/^ari-dialer: the file is empty$/m]],
    [
      'more channel-variable columns than the limit',
      `number,${Array.from({ length: 65 }, (_, i) => `v${i}`).join(',')}\n+15550001,${'x,'.repeat(64)}x\n`,
      2,
      [/^ari-dialer: line 1: 65 columns would become channel variables, more than the limit of 64 .*--max-channel-vars N/m],
    ],
  ] as const)('%s', async (name, csv, code, messages) => {
    const file = join(dir, `${name.replace(/\W+/g, '-')}.csv`);
    await writeFile(file, csv);
    const r = await run(ARI_DIALER, ['campaign', 'create', '--csv', file, '--endpoint', 'SIP/trunk/{number}'], env());
    expect(r.code, r.stderr).toBe(code);
    for (const m of messages) expect(r.stderr).toMatch(m);
    expect(r.stdout).toBe('');
    expect(await redis.smembers(keys.campaigns)).toEqual([]);
  });

  it('a placeholder cell that adds a host: exit 2 naming line and column; --max-channel-vars and --skip-invalid are heard', async () => {
    const file = join(dir, 'evil-trunk.csv');
    await writeFile(file, 'number,trunk,note\n+15550001,pstn-1,a\n+15550002,evil@10.0.0.1:5060,b\n');
    const create = ['campaign', 'create', '--csv', file, '--endpoint', 'PJSIP/{number}@{trunk}', '--preview'];
    const strict = await run(ARI_DIALER, create, env());
    expect(strict.code, strict.stderr).toBe(2);
    expect(strict.stdout + strict.stderr).toMatch(
      /^ {2}line 3: column 2 \(trunk, used as \{trunk\} in the endpoint\): "evil@10\.0\.0\.1:5060" may hold only letters, digits and _ \. \+ - \(found "@" ":"\)$/m,
    );
    const capped = await run(ARI_DIALER, [...create, '--max-channel-vars', '1'], env());
    expect(capped.code, capped.stderr).toBe(2);
    expect(capped.stderr).toMatch(/^ari-dialer: line 1: 2 columns would become channel variables, more than the limit of 1 /m);
    const good = await run(ARI_DIALER, [...create, '--max-channel-vars', '2', '--skip-invalid'], env());
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).toMatch(/^1 to dial, 0 suppressed, 0 duplicates, 1 rejected$/m);
  });

  it('campaign create --amd stores the AMD settings; a bad AMD flag is exit 2 naming the flag', async () => {
    const file = join(dir, 'amd.csv');
    await writeFile(file, 'number\n+15550004\n');
    const base = ['campaign', 'create', '--csv', file, '--endpoint', 'SIP/trunk/{number}', '--json'];
    const bad = await run(ARI_DIALER, [...base, '--amd', '--on-machine', 'somewhere'], env());
    expect(bad.code, bad.stderr).toBe(2);
    expect(bad.stderr).toMatch(/--on-machine: "somewhere": must be "hangup" or "CONTEXT,EXTEN,PRIO"/);
    const r = await run(ARI_DIALER, [...base, '--amd', '--on-machine', 'vm-drop,s,1', '--amd-max-words', '4', '--retry', 'machine=1@2h'], env());
    expect(r.code, r.stderr).toBe(0);
    const { id } = JSON.parse(r.stdout) as { id: string };
    const meta = JSON.parse((await redis.hget(keys.campaign(id), 'settings')) ?? 'null') as { amd: unknown; retry: unknown } | null;
    expect(meta?.amd).toMatchObject({ onMachine: { action: 'continue', context: 'vm-drop' }, tunables: { maximumNumberOfWords: 4 } });
    expect(meta?.retry).toEqual({ MACHINE: { retries: 1, delayMs: 7_200_000 } });
  });

  it('a CSV file that does not exist: exit 2 naming --csv', async () => {
    const r = await run(ARI_DIALER, ['campaign', 'create', '--csv', join(dir, 'nope.csv'), '--endpoint', 'SIP/trunk/{number}'], env());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--csv: no such file: .*nope\.csv/);
  });
});
