/**
 * How the simulator's AMD() decides (docs/simulator.md, "Answering machine detection"). Deterministic, like the
 * outcome rules, so a test or the demo can dial a number and know the verdict:
 *  1. a SimRule's `amd`;
 *  2. a keyword in the endpoint's resource: `notsure` → NOTSURE, `machine` → MACHINE, `human` → HUMAN;
 *  3. the last digit of the resource's digits: 4 → MACHINE (0–3 and 5 answer as people);
 *  4. HUMAN.
 * The detection time and AMDCAUSE follow from AMD()'s arguments (the ARIDIALER_AMD variable; an empty or missing
 * one takes app_amd.c's defaults) the way apps/app_amd.c reaches each verdict.
 */

export type SimAmdStatus = 'HUMAN' | 'MACHINE' | 'NOTSURE' | 'HANGUP';

/** The parts of AMD()'s arguments the model uses, with app_amd.c's defaults. */
export interface SimAmdTunables {
  greeting: number;
  afterGreetingSilence: number;
  totalAnalysisTime: number;
}

const APP_AMD_DEFAULTS: SimAmdTunables = { greeting: 1500, afterGreetingSilence: 800, totalAnalysisTime: 5000 };

/** "Hello?": a short word the person says before waiting for us. */
export const HUMAN_WORD_MS = 500;
/** The silence before a machine's greeting starts. */
export const MACHINE_LEAD_MS = 200;
/** A callee who hangs up while AMD listens (only through a rule's `amd: 'HANGUP'`). */
export const HANGUP_AFTER_MS = 1000;

/** One AMD run: what AMD() sets and how long it takes, in simulated ms. */
export interface SimAmdRun {
  status: SimAmdStatus;
  /** AMDCAUSE, in app_amd.c's formats. */
  cause: string;
  ms: number;
}

/** Reads AMD()'s comma-separated arguments (order: initialSilence, greeting, afterGreetingSilence, totalAnalysisTime, ...). */
export function simAmdTunables(args: string | undefined): SimAmdTunables {
  const parts = (args ?? '').split(',').map((x) => Number.parseInt(x.trim(), 10));
  const pick = (i: number, dflt: number): number => (Number.isInteger(parts[i]) && parts[i]! > 0 ? parts[i]! : dflt);
  return {
    greeting: pick(1, APP_AMD_DEFAULTS.greeting),
    afterGreetingSilence: pick(2, APP_AMD_DEFAULTS.afterGreetingSilence),
    totalAnalysisTime: pick(3, APP_AMD_DEFAULTS.totalAnalysisTime),
  };
}

/** The verdict for an endpoint (rules 2–4; a SimRule's `amd` is passed in as `ruled`). */
export function simAmdStatus(endpoint: string, ruled?: SimAmdStatus): SimAmdStatus {
  if (ruled) return ruled;
  const resource = endpoint.slice(endpoint.indexOf('/') + 1).toLowerCase();
  if (resource.includes('notsure')) return 'NOTSURE';
  if (resource.includes('machine')) return 'MACHINE';
  if (resource.includes('human')) return 'HUMAN';
  const digits = resource.replace(/\D/g, '');
  return digits.endsWith('4') ? 'MACHINE' : 'HUMAN';
}

/**
 * A person says one word and waits: HUMAN after the after-greeting silence (cause `HUMAN-<silence>-<setting>`). A
 * machine talks on: MACHINE when the greeting outlasts its limit (`LONGGREETING-<voice>-<setting>`). NOTSURE: the
 * analysis runs out of time (`TOOLONG-<total>`). HANGUP sets no cause.
 */
export function simAmdRun(status: SimAmdStatus, t: SimAmdTunables): SimAmdRun {
  switch (status) {
    case 'HUMAN':
      return { status, cause: `HUMAN-${t.afterGreetingSilence}-${t.afterGreetingSilence}`, ms: HUMAN_WORD_MS + t.afterGreetingSilence };
    case 'MACHINE':
      return { status, cause: `LONGGREETING-${t.greeting}-${t.greeting}`, ms: MACHINE_LEAD_MS + t.greeting };
    case 'NOTSURE':
      return { status, cause: `TOOLONG-${t.totalAnalysisTime}`, ms: t.totalAnalysisTime };
    case 'HANGUP':
      return { status, cause: '', ms: Math.min(HANGUP_AFTER_MS, t.totalAnalysisTime) };
  }
}
