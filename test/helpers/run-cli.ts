import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The `ari-dialer` command as users run it (bin/ari-dialer.js). */
export const ARI_DIALER = fileURLToPath(new URL('../../bin/ari-dialer.js', import.meta.url));

export interface CliRun {
  /** The exit code; 99 when the process did not exit with one (killed, timed out). */
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a CLI entry point as a child process with only PATH and `env` in its environment (30 s at most). */
export function runCli(bin: string, args: readonly string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (err as { code?: unknown }).code : 0;
      resolve({ code: typeof code === 'number' ? code : 99, stdout, stderr });
    });
  });
}
