const UNITS: Record<string, number> = { m: 60_000, h: 3600_000, d: 86_400_000, w: 7 * 86_400_000 };

/**
 * `--since` / `?since=`: a span back from now (`30m`, `12h`, `1d`, `2w`) or an ISO time with a zone. Returns ms since
 * the epoch; throws a RangeError saying what it takes.
 */
export function parseSince(text: string, now = Date.now()): number {
  const span = /^(\d{1,6})([mhdw])$/.exec(text.trim());
  if (span) return now - Number(span[1]) * UNITS[span[2]!]!;
  const t = /(Z|[+-]\d{2}:\d{2})$/.test(text.trim()) ? Date.parse(text.trim()) : NaN;
  if (Number.isNaN(t)) throw new RangeError(`since: give a span like 30m, 12h, 1d or 2w, or an ISO time with a zone, got ${JSON.stringify(text)}`);
  return t;
}
