import type { Command } from 'commander';
import { checkRecordOptions, type RecordOptions } from '../dialer/recording/record-options.js';
import { BadArgumentError } from '../errors.js';

/** Adds `--record [answered|all]`, `--record-format` and `--record-notice` (dial and campaign create). */
export function addRecordFlags(cmd: Command): Command {
  return cmd
    .option('--record [from]', 'record the call on Asterisk: "answered" (from the answer, the default) or "all" (from the originate, ringing kept)')
    .option('--record-format <format>', 'with --record: a format Asterisk writes (wav, gsm, ulaw, alaw, sln, wav49)', 'wav')
    .option('--record-notice <media>', 'not played yet, so refused: tell the callee with --message instead');
}

/** The recording the flags ask for (as settings: the worker adds its Asterisk's name), or undefined. */
export function recordFromFlags(flags: Record<string, unknown>): Omit<RecordOptions, 'asterisk'> | undefined {
  // Accepting it would record a callee the operator believes was told: refused until the call plays it.
  if (flags.recordNotice !== undefined) throw new BadArgumentError('--record-notice', 'is not played yet (nothing would tell the callee): play the notice with --message, or leave it out');
  if (flags.record === undefined) {
    if (flags.recordFormat !== 'wav' && flags.recordFormat !== undefined) throw new BadArgumentError('--record-format', 'needs --record');
    return undefined;
  }
  const problems: string[] = [];
  const o = checkRecordOptions({ mode: flags.record === true ? 'answered' : flags.record, format: flags.recordFormat }, '', problems, '--record');
  if (!o) {
    const first = problems[0]!.replace(/^--recordFormat/, '--record-format');
    const colon = first.indexOf(': ');
    throw new BadArgumentError(first.slice(0, colon), first.slice(colon + 2));
  }
  const { asterisk: _unused, ...rest } = o;
  return rest;
}

/**
 * `--record` takes an optional value (`answered` or `all`); commander would take the next argument whatever it is
 * (`--record SIP/100 …` would lose the endpoint), so a bare `--record` is made `--record=answered` first.
 */
export function normalizeRecordFlag(argv: readonly string[]): string[] {
  return argv.map((a, i) => (a === '--record' && !['answered', 'all'].includes(argv[i + 1] ?? '') ? '--record=answered' : a));
}
