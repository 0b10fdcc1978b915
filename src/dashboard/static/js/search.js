// Search: a number or a job id (campaign|number|aN) → its attempts across campaigns.
import { $, api, h } from './dom.js';

export async function runSearch(q) {
  $('#search-q').value = q;
  $('#search-summary').textContent = 'Searching…';
  try {
    const { results } = await api(`/api/search?q=${encodeURIComponent(q)}`);
    const rows = [];
    for (const r of results) {
      const list = r.attempts.length ? r.attempts : r.final ? [r.final] : [];
      for (const a of list) {
        rows.push(h('tr', {},
          h('td', {}, h('a', { href: `#/c/${r.campaignId}` }, r.campaignId)),
          h('td', {}, a.number),
          h('td', { class: 'num' }, a.attempt),
          h('td', {}, h('span', { class: `disp ${a.disposition}` }, a.disposition)),
          h('td', {}, a.cause_txt || String(a.cause)),
          h('td', {}, a.ended_at ? new Date(a.ended_at).toLocaleString() : ''),
          h('td', {}, a.final ? 'yes' : 'retry')));
      }
    }
    $('#search-results tbody').replaceChildren(...rows);
    $('#search-summary').textContent = results.length ? `${rows.length} attempt(s) in ${results.length} campaign(s) for “${q}”.` : `Nothing found for “${q}”.`;
  } catch (e) {
    $('#search-summary').textContent = `Search failed: ${e.message}`;
  }
}

export function bindSearch() {
  $('#search-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = $('#search-q').value.trim();
    if (q) location.hash = `#/search/${encodeURIComponent(q)}`;
  });
}
