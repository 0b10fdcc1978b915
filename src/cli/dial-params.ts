import type { AmdOptions } from '../dialer/amd/amd-options.js';
import type { CallParams } from '../dialer/call-options.js';
import type { MessageOptions } from '../dialer/message/message-options.js';
import type { RecordOptions } from '../dialer/recording/record-options.js';

/** dial's options as commander parsed them. */
export interface DialFlags {
  url?: string;
  user?: string;
  password?: string;
  app?: string;
  sim?: boolean;
  timeScale: string;
  pretty?: boolean;
  maxCall?: string;
  verbose?: boolean;
}

/** dial's checked arguments: the call's own parameters, each given or decided (`--max-call`, `--amd`). */
export type DialParams = Pick<CallParams, 'endpoint' | 'callerId' | 'context' | 'extension' | 'priority' | 'timeoutS'> & {
  maxCallS: number | undefined;
  /** `--amd`: answering machine detection first. */
  amd: AmdOptions | undefined;
  /** `--record`: record the call on Asterisk (the result's `recording`). */
  record: Omit<RecordOptions, 'asterisk'> | undefined;
  /** `--message` and its press rules, `--machine-message`. */
  message: MessageOptions | undefined;
  /** `--capture`. */
  capture: string[] | undefined;
};
