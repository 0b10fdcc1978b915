import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SimStatsReply } from './sim-stats-child.js';

/** Runs the simulator in its own process, so the figures measure the dialer, not the fake Asterisk. */
export async function startSimProcess(args: string[] = []): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const run = fileURLToPath(new URL('../../src/cli/run.ts', import.meta.url));
  const child = spawn(
    process.execPath,
    [
      ...(process.env.SIM_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.SIM_PROF}`] : []),
      '--import',
      'tsx',
      run,
      'sim',
      '--port',
      '0',
      '--user',
      'bench',
      '--password',
      'bench',
      ...args,
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, LOG_LEVEL: 'error' },
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /listening at (\S+)/.exec(buf);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  return {
    url,
    child,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/** The simulator in its own process, its counters read over IPC (scripts/bench/sim-stats-child.ts). */
export async function startSimWithStats(
  timeScale: number,
): Promise<{ url: string; stats(): Promise<SimStatsReply>; reset(): Promise<void>; stop(): Promise<void> }> {
  const script = fileURLToPath(new URL('./sim-stats-child.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, String(timeScale)], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: { ...process.env, LOG_LEVEL: 'error' },
  });
  const next = <T>() =>
    new Promise<T>((resolve, reject) => {
      child.once('message', (m) => resolve(m as T));
      child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
    });
  const { url } = await next<{ url: string }>();
  return {
    url,
    stats: () => (child.send('stats'), next<SimStatsReply>()),
    reset: async () => (child.send('reset'), void (await next())),
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}
