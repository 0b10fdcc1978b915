import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/ops/config.js';
import { AriSim } from '../../src/sim/index.js';
import { dropPrefix, REDIS_URL, testPrefix, testRedis, waitUntil } from '../helpers/redis-test.js';
import { isLoopbackAddress, listenersOf } from './listening.js';

const RUN = fileURLToPath(new URL('../../src/cli/run.ts', import.meta.url));
const hasProc = listenersOf(process.pid) !== undefined;
const prefix = testPrefix('loopback');
let redis: Redis;
const children: ChildProcess[] = [];

beforeAll(() => {
  redis = testRedis();
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await dropPrefix(redis, prefix);
  redis.disconnect();
});

/** Starts `ari-dialer <args>` with no host settings at all and waits until it says it is up. */
async function start(args: string[], ready: RegExp): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', RUN, ...args], {
    env: { PATH: process.env.PATH ?? '', REDIS_URL, DIALER_PREFIX: prefix, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  await waitUntil(`${args.join(' ')} up`, () => ready.test(out) || child.exitCode !== null, 20_000);
  expect(child.exitCode, out).toBeNull();
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

describe('everything listens on 127.0.0.1 by default', () => {
  it('the configuration defaults are loopback', () => {
    const c = loadConfig({});
    expect(c.dashboardHost).toBe('127.0.0.1');
    expect(c.metricsHost).toBe('127.0.0.1');
  });

  it('the ARI simulator (library)', async () => {
    const sim = await AriSim.start();
    try {
      expect(new URL(sim.url).hostname).toBe('127.0.0.1');
      if (hasProc) expect(listenersOf(process.pid)!.filter((l) => l.port === sim.port)).toEqual([{ address: '127.0.0.1', port: sim.port }]);
    } finally {
      await sim.stop();
    }
  });

  it.runIf(hasProc).each([
    ['ari-dialer sim', ['sim', '--port', '0'], /ARI simulator listening at http:\/\/127\.0\.0\.1:/],
    ['ari-dialer serve (dashboard + metrics)', ['serve', '--port', '0', '--metrics-port', '0'], /Dashboard: http:\/\/127\.0\.0\.1:/],
    ['ari-dialer worker (built-in simulator + metrics)', ['worker', '--metrics-port', '0'], /"worker started"/],
  ])('%s', async (_name, args, ready) => {
    const child = await start(args, ready);
    try {
      // Every socket it listens on, whatever it is for, is bound to loopback.
      await waitUntil('listening', () => (listenersOf(child.pid!) ?? []).length >= (args[0] === 'sim' ? 1 : 2), 10_000);
      const listeners = listenersOf(child.pid!)!;
      expect(listeners.filter((l) => !isLoopbackAddress(l.address))).toEqual([]);
    } finally {
      await stop(child);
    }
  });
});
