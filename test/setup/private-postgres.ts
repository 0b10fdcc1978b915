/**
 * For the test run only: a throw-away PostgreSQL cluster (initdb into a temporary directory, trust auth, loopback on a
 * free port, no fsync), so `npm test` in a fresh clone needs no PostgreSQL set up by hand when its binaries are installed.
 * PostgreSQL refuses to run as root: as root, the binaries run as the `postgres` user (runuser) when it exists.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../../src/cli/private-redis.js';

export interface PrivatePostgres {
  /** `postgres://postgres@127.0.0.1:PORT/test` */
  url: string;
  stop(): Promise<void>;
}

/** Where initdb and postgres are: on PATH, else Debian's /usr/lib/postgresql/N/bin (newest first). */
export function findPostgresBin(): string | undefined {
  if (spawnSync('initdb', ['--version']).status === 0) return '';
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'initdb')));
  versions.sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(root, versions[0]!, 'bin') : undefined;
}

/** Starts a private cluster; undefined when PostgreSQL's binaries are not installed (or root has no postgres user). */
export async function startPrivatePostgres(): Promise<PrivatePostgres | undefined> {
  const bin = findPostgresBin();
  if (bin === undefined) return undefined;
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? postgresUser() : undefined;
  if (asRoot && owner === undefined) return undefined;
  const dir = mkdtempSync(path.join(tmpdir(), 'ari-dialer-pg-'));
  const data = path.join(dir, 'data');
  if (owner) {
    chownSync(dir, owner.uid, owner.gid);
    chmodSync(dir, 0o700);
  }
  const run = (cmd: string, args: string[]) => {
    const exe = bin ? path.join(bin, cmd) : cmd;
    return owner ? { exe: 'runuser', args: ['-u', 'postgres', '--', exe, ...args] } : { exe, args };
  };
  const init = run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  const r = spawnSync(init.exe, init.args, { encoding: 'utf8' });
  if (r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`tests: initdb failed (exit ${r.status}): ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' / ')}`);
  }
  const port = await freePort();
  const start = run('postgres', [
    '-D',
    data,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    `unix_socket_directories=${dir}`,
    '-c',
    'fsync=off',
    '-c',
    'max_connections=200',
  ]);
  const child: ChildProcess = spawn(start.exe, start.args, { stdio: 'ignore' });
  const base = `postgres://postgres@127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) {
      // SIGINT is PostgreSQL's fast shutdown; sent to the postmaster itself (runuser does not pass signals on).
      const exited = new Promise((resolve) => child.once('exit', resolve));
      const pid = postmasterPid(data) ?? child.pid;
      if (pid !== undefined) process.kill(pid, 'SIGINT');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; ; i++) {
    if (await answers(`${base}/postgres`)) break;
    if (i >= 100 || child.exitCode !== null) {
      await stop();
      throw new Error(`tests: the private PostgreSQL did not start on port ${port}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const c = new pg.Client({ connectionString: `${base}/postgres` });
  await c.connect();
  await c.query('CREATE DATABASE test');
  await c.end();
  return { url: `${base}/test`, stop };
}

/** Does a PostgreSQL answer `SELECT 1` at this URL within 3 s? */
export async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function postgresUser(): { uid: number; gid: number } | undefined {
  const r = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (r.status !== 0 || g.status !== 0) return undefined;
  return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

/** The postmaster's pid, from the first line of postmaster.pid (undefined before it wrote one). */
function postmasterPid(data: string): number | undefined {
  try {
    const pid = Number(readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
