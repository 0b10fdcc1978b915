import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const DIAL = fileURLToPath(new URL('../../bin/dial.js', import.meta.url));

/** How a `dial` child process ended: its exit code (99 when it had none, e.g. killed) and what it printed. */
export interface DialRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs bin/dial.js with `args` and only PATH plus `env` in its environment (30 s at most). */
export function dial(args: string[], env: Record<string, string> = {}): Promise<DialRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [DIAL, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? 99) : 0;
      resolve({ code: typeof code === 'number' ? code : 99, stdout, stderr });
    });
  });
}
