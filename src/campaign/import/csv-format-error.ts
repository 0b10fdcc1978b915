import { DialerError } from '../../errors.js';

export interface CsvFormatErrorOptions extends ErrorOptions {
  /** 1-based physical line the problem was found on, when there is one (the message names it too). */
  line?: number;
}

/**
 * A problem that makes a whole contacts file unusable: empty, binary, not UTF-8, broken quoting, no number
 * column... Problems with one row are never reported this way: they are yielded as `{ kind: 'error' }` items and
 * the import goes on.
 *
 * Contacts are streamed, so this can be thrown after rows were already yielded (a NUL byte on line 800,000):
 * callers must treat the whole import as failed, not keep the rows they got so far.
 */
export class CsvFormatError extends DialerError {
  declare readonly code: 'BAD_CSV';
  readonly line: number | undefined;

  constructor(message: string, options: CsvFormatErrorOptions = {}) {
    const { line, ...errorOptions } = options;
    super('BAD_CSV', message, errorOptions);
    this.line = line;
  }
}
