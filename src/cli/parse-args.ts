import { BadArgumentError } from '../errors.js';

/** Parses a whole positive integer (or within bounds), naming the argument when it is not one. */
export function parseIntArg(name: string, raw: string, opts: { min?: number; max?: number } = {}): number {
  const min = opts.min ?? 1;
  if (!/^-?\d+$/.test(raw.trim())) throw new BadArgumentError(name, `must be a whole number, got ${JSON.stringify(raw)}`);
  const n = Number(raw);
  if (n < min) throw new BadArgumentError(name, `must be at least ${min}, got ${n}`);
  if (opts.max !== undefined && n > opts.max) throw new BadArgumentError(name, `must be at most ${opts.max}, got ${n}`);
  return n;
}
