import { BadArgumentError } from '../../errors.js';

/**
 * AMD()'s nine tunables, in the order apps/app_amd.c reads its arguments (all milliseconds except the word count and
 * the silence threshold). Each is passed through as written; Asterisk's own defaults (amd.conf, else app_amd.c's
 * `dflt*` values) are noted on each field, ours differ where a false MACHINE would hang up on a person.
 */
export interface AmdTunables {
  /** Longest silence before the greeting; exceeded → MACHINE (INITIALSILENCE). @defaultValue 3000 (Asterisk: 2500) */
  initialSilence: number;
  /** Longest greeting; exceeded → MACHINE (LONGGREETING). @defaultValue 2000 (Asterisk: 1500) */
  greeting: number;
  /** Silence after the greeting that means a person waiting for an answer → HUMAN. @defaultValue 800 (Asterisk: 800) */
  afterGreetingSilence: number;
  /** Most time the analysis may take; exceeded → NOTSURE (TOOLONG). @defaultValue 5000 (Asterisk: 5000) */
  totalAnalysisTime: number;
  /** Shortest voice counted as a word. @defaultValue 100 (Asterisk: 100) */
  minimumWordLength: number;
  /** Silence after a word that makes what follows a new word. @defaultValue 50 (Asterisk: 50) */
  betweenWordsSilence: number;
  /**
   * Most words in a greeting; more → MACHINE (MAXWORDS). "Hello, this is Anna" is four words: Asterisk's 2 calls her
   * a machine. @defaultValue 3 (Asterisk: 2)
   */
  maximumNumberOfWords: number;
  /** Average level (0–32767) below which audio is silence. @defaultValue 256 (Asterisk: 256) */
  silenceThreshold: number;
  /** Longest single word; exceeded → MACHINE (MAXWORDLENGTH). @defaultValue 5000 (Asterisk: 5000) */
  maximumWordLength: number;
}

/** Where a call goes after AMD said MACHINE: hung up, or sent to a dialplan place that leaves a message. */
export type OnMachine = { action: 'hangup' } | { action: 'continue'; context: string; extension: string; priority: number };

/** Answering machine detection for one call or a campaign. */
export interface AmdOptions {
  tunables: AmdTunables;
  /** @defaultValue hangup */
  onMachine: OnMachine;
  /**
   * NOTSURE (the analysis ran out of time, or heard no audio) goes where a person would: a false MACHINE hangs up on
   * someone who answered. `machine` treats it as a machine instead. @defaultValue human
   */
  notSureAs: 'human' | 'machine';
  /**
   * The dialplan context that runs `AMD(${ARIDIALER_AMD})` then `Stasis(${ARIDIALER_APP},amd,${AMDSTATUS},${AMDCAUSE})`
   * (docs/amd-and-messages.md: "Answering machine detection"). @defaultValue ari-dialer-amd
   */
  context: string;
}

/** Human-first: longer initial silence and greeting and one more word than Asterisk's defaults allow. */
export const DEFAULT_AMD_TUNABLES: Readonly<AmdTunables> = Object.freeze({
  initialSilence: 3000,
  greeting: 2000,
  afterGreetingSilence: 800,
  totalAnalysisTime: 5000,
  minimumWordLength: 100,
  betweenWordsSilence: 50,
  maximumNumberOfWords: 3,
  silenceThreshold: 256,
  maximumWordLength: 5000,
});

export const DEFAULT_AMD_CONTEXT = 'ari-dialer-amd';

/** AMD()'s argument order (apps/app_amd.c, AST_APP_ARG list): the variable's value is these, comma-separated. */
export const AMD_TUNABLE_ORDER: readonly (keyof AmdTunables)[] = [
  'initialSilence',
  'greeting',
  'afterGreetingSilence',
  'totalAnalysisTime',
  'minimumWordLength',
  'betweenWordsSilence',
  'maximumNumberOfWords',
  'silenceThreshold',
  'maximumWordLength',
];

/** Channel variable holding AMD()'s arguments: `AMD(${ARIDIALER_AMD})` (a variable's commas split AMD's args). */
export const AMD_ARGS_VAR = 'ARIDIALER_AMD';
/** Channel variable naming our Stasis app, so the AMD context can send the call back to the process that placed it. */
export const AMD_APP_VAR = 'ARIDIALER_APP';

/** Limits per tunable (silenceThreshold is a 16-bit level; the rest milliseconds or a word count). */
const LIMITS: Readonly<Record<keyof AmdTunables, readonly [number, number]>> = {
  initialSilence: [1, 60_000],
  greeting: [1, 60_000],
  afterGreetingSilence: [1, 60_000],
  totalAnalysisTime: [100, 60_000],
  minimumWordLength: [1, 60_000],
  betweenWordsSilence: [1, 60_000],
  maximumNumberOfWords: [1, 100],
  silenceThreshold: [0, 32_767],
  maximumWordLength: [1, 60_000],
};

/** The comma-separated arguments of AMD(), in its order. */
export const amdArgs = (t: AmdTunables): string => AMD_TUNABLE_ORDER.map((k) => String(t[k])).join(',');

/**
 * Checks AMD options from the CLI, the HTTP API or Redis (`unknown` until here): `true` means every default, an object
 * may give `onMachine` (`hangup` or `CONTEXT,EXTEN,PRIO`), `notSureAs`, `context` and any tunable. Every problem is
 * collected, each named, then thrown once.
 */
export function parseAmdOptions(input: unknown): AmdOptions {
  if (input === true) return defaultAmdOptions();
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new BadArgumentError('amd', 'must be true or an object of AMD options');
  }
  const o = input as Record<string, unknown>;
  const problems: string[] = [];
  const known = new Set<string>(['onMachine', 'notSureAs', 'context', 'tunables', ...AMD_TUNABLE_ORDER]);
  for (const k of Object.keys(o)) if (!known.has(k)) problems.push(`${k}: unknown AMD option`);
  const given = { ...(typeof o.tunables === 'object' && o.tunables !== null ? (o.tunables as Record<string, unknown>) : {}), ...o };
  const tunables = { ...DEFAULT_AMD_TUNABLES };
  for (const k of AMD_TUNABLE_ORDER) {
    const raw = given[k];
    if (raw === undefined || raw === null || raw === '') continue;
    const v = typeof raw === 'string' ? Number(raw) : raw;
    const [min, max] = LIMITS[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
      problems.push(`${k}: must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
    else tunables[k] = v;
  }
  let onMachine: OnMachine = { action: 'hangup' };
  try {
    if (o.onMachine !== undefined) onMachine = parseOnMachine(o.onMachine);
  } catch (e) {
    problems.push((e as Error).message);
  }
  const notSureAs = o.notSureAs ?? 'human';
  if (notSureAs !== 'human' && notSureAs !== 'machine') problems.push(`notSureAs: must be "human" or "machine", got ${JSON.stringify(o.notSureAs)}`);
  const context = o.context ?? DEFAULT_AMD_CONTEXT;
  if (typeof context !== 'string' || !DIALPLAN_NAME.test(context)) problems.push(`context: must be a dialplan context name, got ${JSON.stringify(o.context)}`);
  if (problems.length) throw new BadArgumentError('amd', problems.join('; '));
  return { tunables, onMachine, notSureAs: notSureAs as AmdOptions['notSureAs'], context: context as string };
}

export const defaultAmdOptions = (): AmdOptions => ({
  tunables: { ...DEFAULT_AMD_TUNABLES },
  onMachine: { action: 'hangup' },
  notSureAs: 'human',
  context: DEFAULT_AMD_CONTEXT,
});

/** Context and extension names: what a dialplan accepts without quoting, and nothing that could add an argument. */
const DIALPLAN_NAME = /^[A-Za-z0-9_.+#*-]{1,80}$/;

/** `hangup`, `CONTEXT,EXTEN,PRIO` (the voicemail drop) or the object form of either. */
export function parseOnMachine(input: unknown): OnMachine {
  if (typeof input === 'object' && input !== null) {
    const o = input as Record<string, unknown>;
    if (o.action === 'hangup') return { action: 'hangup' };
    return parseOnMachine(`${String(o.context)},${String(o.extension)},${String(o.priority)}`);
  }
  if (typeof input !== 'string') throw new BadArgumentError('onMachine', 'must be "hangup" or "CONTEXT,EXTEN,PRIO"');
  const text = input.trim();
  if (text.toLowerCase() === 'hangup') return { action: 'hangup' };
  const [context, extension, prio, ...rest] = text.split(',').map((x) => x.trim());
  const priority = Number(prio);
  if (rest.length || !context || !extension || !DIALPLAN_NAME.test(context) || !DIALPLAN_NAME.test(extension) || !Number.isInteger(priority) || priority < 1) {
    throw new BadArgumentError('onMachine', `"${text}": must be "hangup" or "CONTEXT,EXTEN,PRIO" (e.g. "voicemail-drop,s,1")`);
  }
  return { action: 'continue', context, extension, priority };
}

/** The CLI form of `onMachine`. */
export const formatOnMachine = (m: OnMachine): string => (m.action === 'hangup' ? 'hangup' : `${m.context},${m.extension},${m.priority}`);
