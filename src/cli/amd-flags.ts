import type { Command } from 'commander';
import { AMD_TUNABLE_ORDER, DEFAULT_AMD_CONTEXT, DEFAULT_AMD_TUNABLES, parseAmdOptions, type AmdOptions, type AmdTunables } from '../dialer/amd/amd-options.js';
import { BadArgumentError } from '../errors.js';

/** The flag of each AMD() tunable (`--amd-greeting 2000`), in AMD()'s argument order. */
export const AMD_TUNABLE_FLAGS: Readonly<Record<keyof AmdTunables, string>> = {
  initialSilence: 'amd-initial-silence',
  greeting: 'amd-greeting',
  afterGreetingSilence: 'amd-after-greeting-silence',
  totalAnalysisTime: 'amd-total-analysis-time',
  minimumWordLength: 'amd-min-word-length',
  betweenWordsSilence: 'amd-between-words-silence',
  maximumNumberOfWords: 'amd-max-words',
  silenceThreshold: 'amd-silence-threshold',
  maximumWordLength: 'amd-max-word-length',
};

const HELP: Readonly<Record<keyof AmdTunables, string>> = {
  initialSilence: 'AMD: longest silence before the greeting, ms (longer: MACHINE)',
  greeting: 'AMD: longest greeting, ms (longer: MACHINE)',
  afterGreetingSilence: 'AMD: silence after the greeting that means HUMAN, ms',
  totalAnalysisTime: 'AMD: most time to decide, ms (then NOTSURE)',
  minimumWordLength: 'AMD: shortest voice counted as a word, ms',
  betweenWordsSilence: 'AMD: silence that separates words, ms',
  maximumNumberOfWords: 'AMD: most words in a greeting (more: MACHINE)',
  silenceThreshold: 'AMD: level (0-32767) below which audio is silence',
  maximumWordLength: 'AMD: longest single word, ms (longer: MACHINE)',
};

/** Adds `--amd`, `--on-machine`, `--amd-notsure`, `--amd-context` and one flag per AMD() tunable. */
export function addAmdFlags(cmd: Command): Command {
  cmd
    .option('--amd', "answering machine detection: the answered call goes through Asterisk's AMD() first")
    .option('--on-machine <action>', 'with --amd: "hangup" or CONTEXT,EXTEN,PRIO to leave a message (voicemail drop)', 'hangup')
    .option('--amd-notsure <as>', 'with --amd: treat NOTSURE as "human" or "machine"', 'human')
    .option('--amd-context <context>', 'with --amd: the dialplan context running AMD() (docs/amd-and-messages.md)', DEFAULT_AMD_CONTEXT);
  for (const k of AMD_TUNABLE_ORDER) cmd.option(`--${AMD_TUNABLE_FLAGS[k]} <n>`, `${HELP[k]} (default ${DEFAULT_AMD_TUNABLES[k]})`);
  return cmd;
}

/** The AMD options the flags ask for, or undefined without `--amd`. Throws BadArgumentError naming the flag. */
export function amdFromFlags(flags: Record<string, unknown>): AmdOptions | undefined {
  const tunables: Record<string, unknown> = {};
  for (const k of AMD_TUNABLE_ORDER) {
    const v = flags[camel(AMD_TUNABLE_FLAGS[k])];
    if (v !== undefined) tunables[k] = v;
  }
  if (flags.amd !== true) {
    const given = Object.keys(tunables).map((k) => `--${AMD_TUNABLE_FLAGS[k as keyof AmdTunables]}`);
    if (flags.onMachine !== 'hangup' && flags.onMachine !== undefined) given.push('--on-machine');
    if (given.length) throw new BadArgumentError(given[0]!, 'needs --amd');
    return undefined;
  }
  try {
    return parseAmdOptions({
      ...tunables,
      onMachine: flags.onMachine ?? 'hangup',
      notSureAs: flags.amdNotsure ?? 'human',
      context: flags.amdContext ?? DEFAULT_AMD_CONTEXT,
    });
  } catch (err) {
    // Name the flags the user typed, not the option fields.
    let message = (err as Error).message.replace(/^amd: /, '');
    for (const k of AMD_TUNABLE_ORDER) message = message.replace(new RegExp(`\\b${k}:`, 'g'), `--${AMD_TUNABLE_FLAGS[k]}:`);
    message = message
      .replace(/\bonMachine:/g, '--on-machine:')
      .replace(/\bnotSureAs:/g, '--amd-notsure:')
      .replace(/\bcontext:/g, '--amd-context:');
    throw new BadArgumentError('--amd', message);
  }
}

/** commander's property name for a flag: `amd-max-words` → `amdMaxWords`. */
const camel = (flag: string): string => flag.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
