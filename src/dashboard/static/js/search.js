// Search: a number however it is typed, or a job id (campaign|number|aN) → its attempts across campaigns, filtered
// by disposition and by when the call ended.
import { $, api, emptyRow, h, isAbort } from './dom.js';
import { dispBadge } from './results.js';
import { fromInput, timeEl, toInput } from './time.js';

export async function runSearch(q, filters = new URLSearchParams()) {
  $('#search-q').value = q;
  const f = $('#search-filters');
  f.elements.disposition.value = filters.get('disposition') || '';
  f.elements.from.value = toInput(filters.get('from'));
  f.elements.to.value = toInput(filters.get('to'));
  $('#search-summary').textContent = 'Searching…';
  try {
    const params = new URLSearchParams({ q });
    for (const k of ['disposition', 'from', 'to']) if (filters.get(k)) params.set(k, filters.get(k));
    const { results, matched } = await api(`/api/search?${params}`);
    const rows = [];
    for (const r of results) {
      const list = r.attempts.length ? r.attempts : r.final ? [r.final] : [];
      for (const a of list) {
        rows.push(
          h(
            'tr',
            {},
            h('td', {}, h('a', { href: `#/c/${encodeURIComponent(r.campaignId)}`, title: r.campaignId }, r.campaignName || r.campaignId)),
            h('td', { class: 'nowrap' }, a.number),
            h('td', { class: 'num' }, a.attempt),
            h('td', {}, dispBadge(a.disposition)),
            h('td', {}, a.channel_id ? a.cause_txt || String(a.cause) : a.message || 'not dialed'),
            h('td', { class: 'nowrap' }, timeEl(a.ended_at)),
            h('td', {}, a.final ? 'yes' : 'retry'),
            h('td', {}, a.callerid || ''),
          ),
        );
      }
    }
    const body = $('#search-results tbody');
    if (rows.length) body.replaceChildren(...rows);
    else emptyRow(body, 8, 'No attempts match.');
    const numbers = matched && matched.length ? ` (${matched.slice(0, 5).join(', ')}${matched.length > 5 ? ', …' : ''})` : '';
    $('#search-summary').textContent = rows.length
      ? `${rows.length} attempt(s) in ${results.length} campaign(s) for “${q}”${numbers}.`
      : `Nothing found for “${q}”.`;
  } catch (e) {
    if (!isAbort(e)) $('#search-summary').textContent = `Search failed: ${e.message}`;
  }
}

function go() {
  const q = $('#search-q').value.trim();
  if (!q) return;
  const f = $('#search-filters');
  const p = new URLSearchParams();
  if (f.elements.disposition.value) p.set('disposition', f.elements.disposition.value);
  for (const k of ['from', 'to']) if (f.elements[k].value) p.set(k, fromInput(f.elements[k].value));
  location.hash = `#/search/${encodeURIComponent(q)}${p.size ? `?${p}` : ''}`;
}

export function bindSearch() {
  $('#search-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    go();
  });
  $('#search-filters').addEventListener('submit', (ev) => {
    ev.preventDefault();
    go();
  });
}
