/**
 * http.conf's `prefix` puts every HTTP resource, ARI included, under `/PREFIX`: `prefix = asterisk` means ARI at
 * `/asterisk/ari`. A URL without it (or with it twice, or with one Asterisk does not use) gets Asterisk's 404 page.
 * These are the other base paths worth trying, most likely first.
 */
export function prefixCandidates(basePath: string): string[] {
  const segments = basePath.split('/').filter((s) => s !== '');
  const out: string[] = [];
  // Leading segments dropped one by one: a doubled prefix, or one that Asterisk does not use.
  for (let i = 1; i < segments.length; i++) out.push(`/${segments.slice(i).join('/')}`);
  // The prefix Asterisk's sample http.conf suggests, added or in place of another.
  if (segments[0] !== 'asterisk') out.push(`/asterisk/${segments.join('/')}`);
  out.push('/asterisk/ari');
  return [...new Set(out)].filter((p) => p !== basePath);
}

/** Says what is wrong with `current` when ARI answers at `found`, in http.conf's words. */
export function describePrefixFix(current: string, found: string): string {
  // Everything before the final `/ari` is the prefix.
  const prefixOf = (p: string) => p.split('/').filter(Boolean).slice(0, -1).join('/');
  const cur = prefixOf(current);
  const fnd = prefixOf(found);
  if (!cur) return `the http.conf prefix is missing from the URL (this Asterisk has prefix = ${fnd})`;
  if (cur === `${fnd}/${fnd}` || cur === `${fnd ? `${fnd}/` : ''}ari`) {
    return `the http.conf prefix is doubled in the URL (/${cur} instead of ${fnd ? `/${fnd}` : 'nothing'})`;
  }
  if (!fnd) return `the URL has a prefix (/${cur}) but this Asterisk's http.conf sets none`;
  return `the URL's prefix /${cur} is not the one this Asterisk uses (prefix = ${fnd})`;
}
