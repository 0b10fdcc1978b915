import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Runs the simulator in its own process, so the figures measure the dialer, not the fake Asterisk. */
export async function startSimProcess(args: string[] = []): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const run = fileURLToPath(new URL('../../src/cli/run.ts', import.meta.url));
  const child = spawn(process.execPath, [...(process.env.SIM_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.SIM_PROF}`] : []), '--import', 'tsx', run, 'sim', '--port', '0', '--user', 'bench', '--password', 'bench', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, LOG_LEVEL: 'error' },
  });
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
