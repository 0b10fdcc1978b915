/**
 * IANA time zone names, checked with Intl (the ICU data Node ships) rather than a list of our own that would go
 * stale. Lookups are cached because a million-row file names the same few zones over and over.
 */

const cache = new Map<string, string | undefined>();
/** Bounds the cache so a file full of distinct junk zones cannot grow it without limit. */
const CACHE_LIMIT = 1000;

/**
 * A zone name Intl knows, spelled properly (`europe/berlin` → `Europe/Berlin`), or undefined when it is unknown.
 * Aliases keep the spelling given: ICU would "canonicalize" `Asia/Kolkata` to the outdated `Asia/Calcutta` and
 * `Europe/Kyiv` to `Europe/Kiev`, which would puzzle the person who typed them. Fixed offsets such as `+01:00`
 * are refused even where Intl accepts them: they ignore daylight saving time, which a calling window must respect.
 */
export function canonicalTimeZone(name: string): string | undefined {
  if (cache.has(name)) return cache.get(name);
  let canonical: string | undefined;
  if (/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(name)) {
    try {
      const resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
      canonical = resolved.toLowerCase() === name.toLowerCase() ? resolved : name;
    } catch {
      canonical = undefined; // RangeError: unknown zone
    }
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(name, canonical);
  return canonical;
}
