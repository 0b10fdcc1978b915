import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, redisAnswers } from '../../src/cli/private-redis.js';
import { waitUntil } from './redis-test.js';

/**
 * A Redis Cluster of the test's own: `masters` redis-server processes with cluster mode on, on free loopback ports,
 * joined by `redis-cli --cluster create` (no replicas), each with its node file in a temp dir. Never the shared 6379.
 */
export class RedisClusterSet {
  private readonly children: ChildProcess[] = [];

  private constructor(
    readonly dir: string,
    readonly ports: readonly number[],
  ) {}

  static async start(masters = 3): Promise<RedisClusterSet> {
    const dir = await mkdtemp(join(tmpdir(), 'ari-dialer-cluster-'));
    const ports: number[] = [];
    for (let i = 0; i < masters; i++) ports.push(await freePort());
    const set = new RedisClusterSet(dir, ports);
    for (const port of ports) {
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`];
      set.children.push(spawn('redis-server', [...args, '--cluster-node-timeout', '2000', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' }));
    }
    for (const port of ports) await waitUntil(`redis-server on ${port}`, () => redisAnswers(`redis://127.0.0.1:${port}`), 10_000, 50);
    const create = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], {
      encoding: 'utf8',
    });
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stdout}${create.stderr}`);
    await waitUntil(
      'every node to see the cluster ok',
      async () => (await Promise.all(ports.map((p) => set.info(p)))).every((s) => s.includes('cluster_state:ok')),
      20_000,
      100,
    );
    return set;
  }

  /** `redis+cluster://127.0.0.1:<first>,127.0.0.1:<second>`: two nodes named, the third found from them. */
  get url(): string {
    return `redis+cluster://${this.ports
      .slice(0, 2)
      .map((p) => `127.0.0.1:${p}`)
      .join(',')}`;
  }

  /** Every key on one node (SCAN on that node alone), with a pattern. */
  async keysOn(port: number, match = '*'): Promise<string[]> {
    const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true });
    try {
      const out: string[] = [];
      let cursor = '0';
      do {
        const [next, keys] = await r.scan(cursor, 'MATCH', match, 'COUNT', 1000);
        cursor = next;
        out.push(...keys);
      } while (cursor !== '0');
      return out;
    } finally {
      r.disconnect();
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.children.map((c) => new Promise((r) => (c.exitCode !== null ? r(undefined) : (c.once('exit', r), c.kill('SIGKILL'))))));
    await rm(this.dir, { recursive: true, force: true });
  }

  private async info(port: number): Promise<string> {
    const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true });
    try {
      return await r.cluster('INFO');
    } catch {
      return '';
    } finally {
      r.disconnect();
    }
  }
}
