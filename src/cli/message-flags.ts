import { Option, type Command } from 'commander';
import { parseCapture } from '../dialer/capture.js';
import { parseMessageOptions, type MessageOptions } from '../dialer/message/message-options.js';
import type { AmdOptions } from '../dialer/amd/amd-options.js';
import { BadArgumentError } from '../errors.js';

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/**
 * Adds `--capture`, `--message`, `--message-repeat`, `--press` (repeatable), `--no-press`, `--press-wait`,
 * `--optout-message`, `--machine-message`, `--beep-wait` and `--message-item-max` (dial and campaign create).
 */
export function addMessageFlags(cmd: Command): Command {
  return cmd
    .option('--capture <vars>', 'dialplan variables whose last value goes into the result, e.g. SURVEY_ANSWER,QUEUESTATUS (at most 16)')
    .option('--message <media>', 'play this to the callee once answered, in Stasis: sound:, recording:, digits:, number: URIs, comma-separated')
    .option('--message-repeat <n>', 'with --message: play it this many times (default 1)')
    .option(
      '--press <KEY=ACTION>',
      'with --message: a key stops it and does ACTION: CONTEXT,EXTEN,PRIO, optout, hangup or replay (repeatable); --no-press ACTION: destination, hangup or CONTEXT,EXTEN,PRIO when no key came (default: destination without --press, else hangup)',
      collect,
    )
    .addOption(new Option('--on-no-press <action>').hideHelp())
    .option('--press-wait <s>', 'with --press: seconds to wait for a key after the message (default 5)')
    .option('--optout-message <media>', 'with an optout key: played before hanging up')
    .option('--machine-message <media>', 'with --amd: left on a voicemail once its greeting ended (TALK_DETECT)')
    .option('--beep-wait <s>', 'with --machine-message: longest wait for the greeting to end (default 20)')
    .option(
      '--message-item-max <s>',
      'longest one sound: or recording: item may play before it counts as not played (default 120; Asterisk never ends a missing recording:)',
    );
}

/**
 * commander reads any `--no-X` flag as "X is false", so `--no-press hangup` would erase the `--press` rules: it is
 * read as `--on-no-press` instead.
 */
export function normalizeNoPressFlag(argv: readonly string[]): string[] {
  return argv.map((a) => (a === '--no-press' ? '--on-no-press' : a.startsWith('--no-press=') ? `--on-no-press=${a.slice(11)}` : a));
}

/** The message the flags ask for, or undefined. Throws BadArgumentError naming the flag. */
export function messageFromFlags(flags: Record<string, unknown>): MessageOptions | undefined {
  return parseMessageOptions({
    media: flags.message,
    repeat: flags.messageRepeat,
    press: flags.press,
    noPress: flags.onNoPress,
    pressWaitS: flags.pressWait,
    optoutMessage: flags.optoutMessage,
    machineMessage: flags.machineMessage,
    beepWaitS: flags.beepWait,
    itemMaxS: flags.messageItemMax,
  });
}

/** `--machine-message` needs `--amd`, and is one way to leave a message: the dialplan way (`--on-machine`) is the other. */
export function checkMachineMessage(message: MessageOptions | undefined, amd: AmdOptions | undefined): void {
  if (!message?.machineMessage) return;
  if (!amd) throw new BadArgumentError('--machine-message', 'needs --amd');
  if (amd.onMachine.action === 'continue')
    throw new BadArgumentError('--machine-message', 'leaves the message itself: do not also give --on-machine CONTEXT,EXTEN,PRIO');
}

/** `--capture`'s names (checked), or undefined without it. */
export function captureFromFlags(flags: Record<string, unknown>): string[] | undefined {
  const names = parseCapture(flags.capture);
  return names.length ? names : undefined;
}
