import type { Command } from 'commander';
import { checkRecordOptions, type RecordOptions } from '../dialer/recording/record-options.js';
import { BadArgumentError } from '../errors.js';

/** Adds `--record [answered|all]`, `--record-format` and `--record-notice` (dial and campaign create). */
export function addRecordFlags(cmd: Command): Command {
  return cmd
    .option('--record [from]', 'record the call on Asterisk: "answered" (from the answer, the default) or "all" (from the originate, ringing kept)')
    .option('--record-format <format>', 'with --record: a format Asterisk writes (wav, gsm, ulaw, alaw, sln, wav49)', 'wav')
    .option(
      '--record-notice <media>',
      'with --record: play this to the callee once answered, before the call goes on and recording starts (e.g. sound:recording-notice)',
    );
}

/** The recording the flags ask for (as settings: the worker adds its Asterisk's name), or undefined. */
export function recordFromFlags(flags: Record<string, unknown>): Omit<RecordOptions, 'asterisk'> | undefined {
  if (flags.record === undefined) {
    if (flags.recordFormat !== 'wav' && flags.recordFormat !== undefined) throw new BadArgumentError('--record-format', 'needs --record');
    if (flags.recordNotice !== undefined) throw new BadArgumentError('--record-notice', 'needs --record');
    return undefined;
  }
  const problems: string[] = [];
  const o = checkRecordOptions(
    { mode: flags.record === true ? 'answered' : flags.record, format: flags.recordFormat, notice: flags.recordNotice },
    '',
    problems,
    '--record',
  );
  if (!o) {
    const first = problems[0]!.replace(/^--recordFormat/, '--record-format').replace(/^--recordNotice/, '--record-notice');
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
