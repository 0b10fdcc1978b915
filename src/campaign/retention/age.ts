import { BadArgumentError } from '../../errors.js';

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;

/** `30d`, `12h`, `90m`, `2w` (a bare number is days) → milliseconds; `argument` names the flag in the error. */
export function parseAge(text: string, argument: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([mhdw]?)\s*$/i.exec(text);
  const ms = m ? Number(m[1]) * UNIT_MS[(m[2] || 'd').toLowerCase() as keyof typeof UNIT_MS] : NaN;
  if (!Number.isFinite(ms) || ms <= 0) throw new BadArgumentError(argument, `must be an age like 30d, 12h, 90m or 2w, got ${JSON.stringify(text)}`);
  return ms;
}
