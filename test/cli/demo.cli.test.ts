import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keys } from '../../src/store/keys.js';
import { ARI_DIALER } from '../helpers/run-cli.js';
import { dropPrefix, REDIS_URL, testPrefix, testRedis } from '../helpers/redis-test.js';

/**
 * `npm run demo` (ari-dialer demo) as a user runs it, with DIALER_PREFIX and DASHBOARD_TOKEN set (issue 20, item 12):
 * its campaign goes under that prefix, its dashboard wants that token, and each run's campaign has a name of its own.
 */

const TOKEN = 'demo-operator-token-7f3a9c2e51b8';
const prefix = testPrefix('demo');
const redis = testRedis();
let dir = '';
let child: ChildProcess | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'demo-cli-'));
  // Two numbers the demo's simulator answers quickly (ending in 2 and 3: 0.5 s ring, 0.8 s talk).
  await writeFile(join(dir, 'two.csv'), 'number,name\n+49305551002,Ada\n+49305551013,Bob\n');
});

afterAll(async () => {
  child?.kill('SIGKILL');
  await dropPrefix(redis, prefix);
  redis.disconnect();
  await rm(dir, { recursive: true, force: true });
});

/** Runs the demo until `until` matches its output; resolves with everything it printed so far. */
function runDemo(until: RegExp): Promise<string> {
  child = spawn(process.execPath, [ARI_DIALER, 'demo', '--csv', join(dir, 'two.csv'), '--port', '0'], {
    env: { PATH: process.env.PATH ?? '', REDIS_URL, DIALER_PREFIX: prefix, DASHBOARD_TOKEN: TOKEN },
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`demo printed no ${until} in 40 s:\n${out}`)), 40_000);
    child!.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (until.test(out)) {
        clearTimeout(timer);
        resolve(out);
      }
    });
    child!.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    child!.on('exit', (code) => reject(new Error(`demo exited (${code}) before ${until}:\n${out}`)));
  });
}

describe('npm run demo', () => {
  it('keeps its campaign under DIALER_PREFIX and its dashboard behind DASHBOARD_TOKEN, with a name of its own', async () => {
    const out = await runDemo(/The dashboard stays up/);
    const url = /Dashboard: (http:\S+) \(log in with DASHBOARD_TOKEN\)/.exec(out)?.[1];
    expect(url, out).toBeDefined();
    expect((await fetch(`${url}/api/campaigns`)).status).toBe(401);
    const res = await fetch(`${url}/api/campaigns`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    const { campaigns } = (await res.json()) as { campaigns: Array<{ id: string; name: string; state: string }> };
    expect(campaigns).toHaveLength(1);
    expect(campaigns[0]!.name).toMatch(/^demo \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);
    expect(campaigns[0]!.state).toBe('finished');
    // Its keys are under the prefix given, none under the demo's own.
    expect(await redis.sismember(new Keys(prefix).campaigns, campaigns[0]!.id)).toBe(1);
    expect(out).toContain(`DIALER_PREFIX='${prefix}'`);
    child!.kill('SIGINT');
    await new Promise((r) => child!.once('exit', r));
  }, 60_000);
});
