import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, redisAnswers } from '../../src/cli/private-redis.js';

export { freePort };

/**
 * A redis-server of the test's own (never the shared 6379, which other suites use): AOF on, fsync on every write,
 * data in a temp dir, so a `kill -9` and a restart come back with everything acknowledged before the kill.
 */
export class OwnRedis {
  private child: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly extraArgs: string[],
    private readonly password?: string,
  ) {}

  /** `password` turns on `requirepass` (and goes into `url`). */
  static async start(extraArgs: string[] = [], password?: string): Promise<OwnRedis> {
    // tmpfs when there is one: fsync is then cheap, and a killed process loses nothing the kernel holds.
    const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
    const args = password ? [...extraArgs, '--requirepass', password] : extraArgs;
    const r = new OwnRedis(await freePort(), await mkdtemp(join(base, 'ari-dialer-redis-')), args, password);
    await r.launch();
    return r;
  }

  get url(): string {
    return `redis://${this.password ? `:${encodeURIComponent(this.password)}@` : ''}127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** kill -9: no shutdown, no final flush. */
  async kill9(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    this.child = undefined;
  }

  /** Starts it again on the same port and directory (it reloads the AOF). */
  async restart(): Promise<void> {
    await this.kill9();
    await this.launch();
  }

  async stop(): Promise<void> {
    await this.kill9();
    await rm(this.dir, { recursive: true, force: true });
  }

  private async launch(): Promise<void> {
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--dir',
      this.dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
      '--save',
      '',
      ...this.extraArgs,
    ];
    this.child = spawn('redis-server', args, { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      // PING fails with LOADING while the AOF is read back: not ready yet.
      if (await redisAnswers(this.url)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`redis-server on port ${this.port} did not start`);
  }
}
