/**
 * IANA time zone names, checked with Intl (the ICU data Node ships) rather than a list of our own that would go
 * stale. Lookups are cached because a million-row file names the same few zones over and over.
 */

const cache = new Map<string, string | undefined>();
/** Bounds the cache so a file full of distinct junk zones cannot grow it without limit. */
const CACHE_LIMIT = 1000;

/**
 * The canonical spelling of an IANA zone name (`europe/berlin` → `Europe/Berlin`), or undefined when Intl does not
 * know it. Fixed offsets such as `+01:00` are refused even where Intl accepts them: they ignore daylight saving
 * time, which is exactly what a calling window must respect.
 */
export function canonicalTimeZone(name: string): string | undefined {
  if (cache.has(name)) return cache.get(name);
  let canonical: string | undefined;
  if (/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(name)) {
    try {
      canonical = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
    } catch {
      canonical = undefined; // RangeError: unknown zone
    }
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(name, canonical);
  return canonical;
}
