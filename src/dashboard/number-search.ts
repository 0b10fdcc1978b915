import type { CampaignService } from '../campaign/campaign-service.js';
import { DISPOSITIONS, type Disposition } from '../dialer/call-result.js';
import type { AttemptRecord } from '../report/attempt-record.js';

/** Filters on what a search returns: the attempt's disposition and when it ended. */
export interface SearchFilters {
  disposition?: Disposition;
  /** Epoch ms, inclusive. */
  from?: number;
  /** Epoch ms, inclusive. */
  to?: number;
}

export interface SearchHit {
  campaignId: string;
  /** The campaign's name, as its pages show it (absent when the campaign is gone from Redis and PostgreSQL). */
  campaignName?: string;
  number: string;
  final?: AttemptRecord;
  attempts: AttemptRecord[];
}

/** Shortest digit tail that is searched as a suffix: fewer would match half the list. */
export const MIN_SUFFIX_DIGITS = 6;
/** Most distinct numbers one search expands to. */
const MAX_NUMBERS = 20;

export { DISPOSITIONS };

/**
 * Search as people type numbers: "+49 30 555 1000", "0049 30 5551000", "030 5551000" (national, the trunk prefix
 * 0 dropped) and "5551000" (a tail of at least {@link MIN_SUFFIX_DIGITS} digits) all find +49305551000. The digits
 * without leading zeros are matched as the END of each stored number: a country code is never guessed, so no
 * default country has to be configured. A job id (`campaign|number|aN`) is looked up as it is.
 *
 * Campaigns in Redis are matched by tail (a SSCAN of each campaign's number set); campaigns only PostgreSQL still
 * holds (archived) are matched by the exact number.
 */
export async function searchNumbers(
  service: CampaignService,
  query: string,
  filters: SearchFilters = {},
): Promise<{ matched: string[]; results: SearchHit[] }> {
  const q = query.trim();
  if (q.split('|').length === 3) return { matched: [], results: await named(service, filter(await service.search(q), filters)) };
  const plus = q.startsWith('+');
  const digits = q.replace(/\D/g, '');
  const tail = digits.replace(/^0+/, '');
  const numbers = new Set<string>();
  if (digits) numbers.add(plus ? `+${digits}` : digits);
  if (tail.length >= MIN_SUFFIX_DIGITS) for (const n of await numbersEndingWith(service, tail)) numbers.add(n);
  const results: SearchHit[] = [];
  const seen = new Set<string>();
  for (const n of [...numbers].slice(0, MAX_NUMBERS)) {
    for (const hit of await service.search(n)) {
      const key = `${hit.campaignId}|${hit.number}`;
      if (seen.has(key) || (!hit.attempts.length && !hit.final)) continue;
      seen.add(key);
      results.push(hit);
    }
  }
  const kept = await named(service, filter(results, filters));
  return { matched: [...new Set(kept.map((r) => r.number))], results: kept };
}

/** Each hit with its campaign's name: one read per campaign found, not per hit. */
async function named(service: CampaignService, hits: SearchHit[]): Promise<SearchHit[]> {
  const names = new Map<string, string | undefined>();
  for (const id of new Set(hits.map((h) => h.campaignId)))
    names.set(
      id,
      await service.get(id).then(
        (m) => m.name,
        () => undefined,
      ),
    );
  return hits.map((h) => {
    const name = names.get(h.campaignId);
    return name === undefined ? h : { ...h, campaignName: name };
  });
}

async function numbersEndingWith(service: CampaignService, tail: string): Promise<string[]> {
  const out = new Set<string>();
  for (const id of await service.store.ids()) {
    let cursor = '0';
    do {
      const [next, found] = await service.redis.sscan(service.keys.numbers(id), cursor, 'MATCH', `*${tail}`, 'COUNT', 1000);
      cursor = next;
      for (const n of found) out.add(n);
    } while (cursor !== '0' && out.size < MAX_NUMBERS);
    if (out.size >= MAX_NUMBERS) break;
  }
  return [...out];
}

function filter(hits: SearchHit[], f: SearchFilters): SearchHit[] {
  if (!f.disposition && f.from === undefined && f.to === undefined) return hits;
  const ok = (a: AttemptRecord) => {
    if (f.disposition && a.disposition !== f.disposition) return false;
    const t = Date.parse(a.ended_at);
    if (f.from !== undefined && !(t >= f.from)) return false;
    if (f.to !== undefined && !(t <= f.to)) return false;
    return true;
  };
  const out: SearchHit[] = [];
  for (const h of hits) {
    const attempts = h.attempts.filter(ok);
    const final = h.final && ok(h.final) ? h.final : undefined;
    const { final: _all, ...rest } = h;
    if (attempts.length || (final && !h.attempts.length)) out.push({ ...rest, attempts, ...(final ? { final } : {}) });
  }
  return out;
}
