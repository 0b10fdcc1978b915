import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../../src/cli/private-redis.js';
import { waitUntil } from './redis-test.js';

/**
 * A Redis master, one replica and one Sentinel of the test's own, on free ports in a temp dir (never the shared
 * 6379): enough for Sentinel discovery and a real failover. Both Redis servers require `password`.
 */
export class SentinelSet {
  private readonly children: ChildProcess[] = [];

  private constructor(
    readonly dir: string,
    readonly masterName: string,
    readonly password: string,
    readonly ports: { master: number; replica: number; sentinel: number },
  ) {}

  static async start(masterName = 'dialer', password = 's3cret:pw'): Promise<SentinelSet> {
    const dir = await mkdtemp(join(tmpdir(), 'ari-dialer-sentinel-'));
    const ports = { master: await freePort(), replica: await freePort(), sentinel: await freePort() };
    const set = new SentinelSet(dir, masterName, password, ports);
    const common = ['--save', '', '--appendonly', 'no', '--bind', '127.0.0.1', '--requirepass', password, '--masterauth', password];
    set.spawn(['--port', String(ports.master), '--dir', dir, '--dbfilename', 'm.rdb', ...common]);
    set.spawn(['--port', String(ports.replica), '--dir', dir, '--dbfilename', 'r.rdb', '--replicaof', '127.0.0.1', String(ports.master), ...common]);
    const conf = join(dir, 'sentinel.conf');
    await writeFile(
      conf,
      [
        `port ${ports.sentinel}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${masterName} 127.0.0.1 ${ports.master} 1`,
        `sentinel auth-pass ${masterName} ${password}`,
        `sentinel down-after-milliseconds ${masterName} 1000`,
        `sentinel failover-timeout ${masterName} 5000`,
        '',
      ].join('\n'),
    );
    set.spawn([conf, '--sentinel']);
    await waitUntil(
      'the sentinel to see the replica',
      async () => {
        const replicas = (await set.sentinel('REPLICAS', masterName).catch(() => [])) as string[][];
        return replicas.some((r) => {
          const f = Object.fromEntries(r.flatMap((v, i) => (i % 2 ? [] : [[v, r[i + 1]]])));
          return f.flags === 'slave' && f['master-link-status'] === 'ok';
        });
      },
      20_000,
      200,
    );
    return set;
  }

  /** `redis+sentinel://:password@127.0.0.1:<sentinel port>/<master>` */
  get url(): string {
    return `redis+sentinel://:${encodeURIComponent(this.password)}@127.0.0.1:${this.ports.sentinel}/${this.masterName}`;
  }

  /** A SENTINEL command sent to our sentinel. */
  async sentinel(...args: string[]): Promise<unknown> {
    const r = new Redis({ port: this.ports.sentinel, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => undefined);
    try {
      await r.connect();
      return await r.call('SENTINEL', ...args);
    } finally {
      r.disconnect();
    }
  }

  /** The port Sentinel names as the master now. */
  async masterPort(): Promise<number> {
    const [, port] = (await this.sentinel('GET-MASTER-ADDR-BY-NAME', this.masterName)) as [string, string];
    return Number(port);
  }

  /** What a server says it is now (`master` or `slave`), asked directly. */
  async role(port: number): Promise<string> {
    const r = new Redis({ port, host: '127.0.0.1', password: this.password, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => undefined);
    try {
      await r.connect();
      return String(((await r.call('ROLE')) as unknown[])[0]);
    } finally {
      r.disconnect();
    }
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.children.map(async (c) => {
        if (c.exitCode !== null) return;
        const exited = new Promise((r) => c.once('exit', r));
        c.kill('SIGKILL');
        await exited;
      }),
    );
    await rm(this.dir, { recursive: true, force: true });
  }

  private spawn(args: string[]): void {
    this.children.push(spawn('redis-server', args, { stdio: 'ignore' }));
  }
}
