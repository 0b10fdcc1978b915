import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { CampaignService } from '../../src/campaign/campaign-service.js';

const RUN = fileURLToPath(new URL('../../src/cli/run.ts', import.meta.url));

/** Worker processes, as in production: `ari-dialer worker` with its own Stasis app each. */
export function startWorkers(n: number, env: Record<string, string>): ChildProcess[] {
  return Array.from({ length: n }, () =>
    spawn(
      process.execPath,
      [
        ...(process.env.WORKER_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.WORKER_PROF}`] : []),
        '--import',
        'tsx',
        RUN,
        'worker',
        '--channel-cap',
        '1000',
        '--grace',
        '5',
      ],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
        env: { ...process.env, ...env, LOG_LEVEL: 'error' },
      },
    ),
  );
}

/** CPU seconds (user + system) the processes have used so far, from /proc (Linux). */
export function cpuSeconds(pids: ReadonlyArray<number | undefined>): number {
  let ticks = 0;
  for (const pid of pids) {
    if (pid === undefined) continue;
    try {
      // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
      const rest = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(rest[11]) + Number(rest[12]);
    } catch {
      // exited
    }
  }
  return ticks / 100;
}

/** SIGTERM to each and wait for its exit (one that already exited is not waited for). */
export async function stopWorkers(ws: readonly ChildProcess[]): Promise<void> {
  await Promise.all(ws.map((w) => new Promise((r) => (w.exitCode !== null ? r(undefined) : (w.kill('SIGTERM'), w.once('exit', r))))));
}

/** Creates a campaign of `list` (endpoint `SIP/trunk/{number}`, timeout 30 s unless `settings` say) and waits for its finish. */
export async function runCampaign(
  svc: CampaignService,
  name: string,
  list: string[],
  settings: Record<string, unknown>,
): Promise<{ id: string; seconds: number; finishedAt: number }> {
  const t0 = performance.now();
  const r = await svc.create({
    name,
    settings: { endpoint: 'SIP/trunk/{number}', timeoutS: 30, ...settings },
    open: () => Readable.from([`number\n${list.join('\n')}\n`]),
  });
  for (;;) {
    const s = await svc.get(r.id!);
    if (s.state === 'finished') break;
    await new Promise((res) => setTimeout(res, 100));
  }
  return { id: r.id!, seconds: (performance.now() - t0) / 1000, finishedAt: Date.now() };
}

/** Until `n` workers have a heartbeat (each registers itself when its ARI socket is up). */
export async function workersUp(svc: CampaignService, n: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const names = await svc.redis.hkeys(svc.keys.workers);
    if (names.length >= n) {
      const alive = await svc.redis.mget(...names.map((w) => svc.keys.alive(w)));
      if (alive.filter((v) => v !== null).length >= n) return;
    }
    await sleep(100);
  }
  throw new Error(`${n} workers did not start within 60 s`);
}
