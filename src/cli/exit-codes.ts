import type { CallResult } from '../dialer/call-result.js';

/** Exit codes shared by every command: scripts branch on them. */
export const EXIT = {
  OK: 0,
  NOT_ANSWERED: 1,
  USAGE: 2,
  ERROR: 3,
} as const;

export function exitCodeFor(result: CallResult): number {
  if (result.status === 'error') return EXIT.ERROR;
  return result.answered ? EXIT.OK : EXIT.NOT_ANSWERED;
}
