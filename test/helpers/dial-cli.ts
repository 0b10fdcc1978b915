import { fileURLToPath } from 'node:url';
import { runCli, type CliRun } from './run-cli.js';

const DIAL = fileURLToPath(new URL('../../bin/dial.js', import.meta.url));

/** How a `dial` child process ended: its exit code (99 when it had none, e.g. killed) and what it printed. */
export type DialRun = CliRun;

/** Runs bin/dial.js with `args` and only PATH plus `env` in its environment (30 s at most). */
export function dial(args: string[], env: Record<string, string> = {}): Promise<DialRun> {
  return runCli(DIAL, args, env);
}
