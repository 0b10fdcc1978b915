import type { AmdOptions } from './amd-options.js';

/**
 * AMD()'s verdict as it sets AMDSTATUS (apps/app_amd.c). HANGUP: the callee hung up during the analysis, so the
 * dialplan stops there and the call never comes back to Stasis; we learn it from the ChannelVarset event.
 */
export type AmdStatus = 'HUMAN' | 'MACHINE' | 'NOTSURE' | 'HANGUP';

export const AMD_STATUSES: readonly AmdStatus[] = ['HUMAN', 'MACHINE', 'NOTSURE', 'HANGUP'];

/** What AMD said about one call and how long it took (from our `continue` into the AMD context to the verdict). */
export interface AmdVerdict {
  status: AmdStatus;
  /** AMDCAUSE as Asterisk wrote it, e.g. `HUMAN-800-800`, `MAXWORDS-4-3`, `TOOLONG-5000` ('' when it sets none). */
  cause: string;
  /** Milliseconds from our `continue` into the AMD context to the verdict reaching us. */
  ms: number;
}

/** The first Stasis argument our AMD context passes back: `Stasis(app,amd,${AMDSTATUS},${AMDCAUSE})`. */
export const AMD_STASIS_TAG = 'amd';

/**
 * Reads a StasisStart's `args` (res/res_stasis.c: Stasis()'s arguments after the app name, as strings). `undefined`
 * when the entry is not our AMD context's. An empty or unknown AMDSTATUS (AMD could not set the channel to linear
 * audio, or a dialplan typo) is NOTSURE: we could not tell.
 */
export function amdVerdictFromArgs(args: readonly string[] | undefined): Omit<AmdVerdict, 'ms'> | undefined {
  if (!args || args[0] !== AMD_STASIS_TAG) return undefined;
  const raw = (args[1] ?? '').trim().toUpperCase();
  const status = (AMD_STATUSES as readonly string[]).includes(raw) ? (raw as AmdStatus) : 'NOTSURE';
  return { status, cause: (args[2] ?? '').trim() };
}

/** What the call does once AMD has spoken: go to the destination, to the machine's place, or hang up. */
export type AmdRoute = 'destination' | 'machine' | 'hangup';

/** HUMAN goes on; NOTSURE as `notSureAs` says (human by default); MACHINE as `onMachine` says. */
export function amdRoute(status: AmdStatus, o: Pick<AmdOptions, 'onMachine' | 'notSureAs'>): AmdRoute {
  const machine = status === 'MACHINE' || (status === 'NOTSURE' && o.notSureAs === 'machine');
  if (!machine) return 'destination';
  return o.onMachine.action === 'hangup' ? 'hangup' : 'machine';
}
