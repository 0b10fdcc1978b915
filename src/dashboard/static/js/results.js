// The latest results of the campaign on screen: newest first, paged, filtered by disposition.
import { $, api, emptyRow, flash, h, isAbort, keyedRows, setText } from './dom.js';
import { state } from './state.js';
import { setTime, timeEl } from './time.js';

const PAGE = 50;

/** A disposition as a badge: its colour as a swatch, its name as text (the text alone must carry the meaning). */
export function dispBadge(d) {
  return h('span', { class: 'disp' }, h('i', { class: `sw ${d}`, 'aria-hidden': 'true' }), d);
}

export function resetResults() {
  clearTimeout(state.results.trailing);
  state.results = { offset: 0, disposition: '', loading: false, lastLoad: 0, trailing: undefined };
  $('#results-filter').value = '';
  $('#results tbody').replaceChildren();
  setText($('#results-range'), '');
}

/** Stops a pending refresh (the page is being left). */
export function stopResults() {
  clearTimeout(state.results.trailing);
  state.results.trailing = undefined;
}

export async function loadResults(force) {
  const id = state.campaignId;
  if (state.view !== 'campaign' || !id) return;
  const r = state.results;
  // The live feed can ask often; the table is refreshed at most once a second, and the last ask is kept.
  if (!force && (r.loading || Date.now() - r.lastLoad < 1000)) {
    if (!r.trailing) r.trailing = setTimeout(() => ((r.trailing = undefined), loadResults(false)), 1000);
    return;
  }
  r.loading = true;
  r.lastLoad = Date.now();
  try {
    const q = new URLSearchParams({ offset: String(r.offset), limit: String(PAGE) });
    if (r.disposition) q.set('disposition', r.disposition);
    const page = await api(`/api/campaigns/${encodeURIComponent(id)}/attempts?${q}`);
    if (state.view !== 'campaign' || state.campaignId !== id) return;
    const tbody = $('#results tbody');
    if (!page.items.length) emptyRow(tbody, 12, r.disposition ? `No ${r.disposition} results.` : 'No results yet.');
    else keyedRows(tbody, page.items, (a) => a.channel_id || `${a.number}|${a.attempt}`, createRow, updateRow);
    setText($('#results-range'), page.total ? `${r.offset + 1}–${r.offset + page.items.length} of ${page.total}` : 'No results');
    $('#results-prev').disabled = r.offset === 0;
    $('#results-next').disabled = r.offset + PAGE >= page.total;
  } catch (e) {
    if (!isAbort(e) && state.campaignId === id) flash(`Could not load results: ${e.message}`);
  } finally {
    r.loading = false;
  }
}

function createRow(a) {
  return h(
    'tr',
    {},
    h('td', { class: 'nowrap' }, timeEl(a.ended_at)),
    h('td', { class: 'nowrap' }, a.number),
    h('td', { class: 'num' }, a.attempt),
    h('td', {}, dispBadge(a.disposition)),
    h('td', {}),
    h('td', {}),
    h('td', {}),
    h('td', { class: 'num' }),
    h('td', { class: 'num' }),
    h('td', {}),
    h('td', {}),
    h('td', { class: 'rec' }),
  );
}

function updateRow(tr, a) {
  const td = tr.children;
  setTime(td[0].firstChild, a.ended_at);
  setText(td[4], a.channel_id ? (a.cause_txt ? `${a.cause_txt} (${a.cause})` : String(a.cause)) : a.message || 'not dialed');
  setText(td[5], a.amd_status ?? '');
  td[5].title = a.amd_cause ? `${a.amd_cause}, ${a.amd_ms} ms` : '';
  setText(td[6], afterAnswer(a));
  td[6].title = a.heard_s !== undefined ? `heard ${a.heard_s} s${a.message_reason ? `; ${a.message_reason}` : ''}` : '';
  setText(td[7], a.ring_s.toFixed(1));
  setText(td[8], a.talk_s.toFixed(1));
  setText(td[9], a.final ? 'yes' : 'retry');
  setText(td[10], a.callerid || '');
  recordingCell(td[11], a);
}

/**
 * The call's recording: a play button that puts an `<audio>` in its place (the file is fetched only then, from the
 * Asterisk that holds it, through the dashboard: the session cookie is the auth), or why there is none.
 */
function recordingCell(td, a) {
  const rec = a.recording;
  const key = rec ? `${rec.state}|${rec.name}` : '';
  if (td.dataset.rec === key) return;
  td.dataset.rec = key;
  if (!rec) return td.replaceChildren();
  if (rec.state !== 'done') {
    td.replaceChildren(h('span', { class: 'muted', title: rec.reason ?? '' }, 'not recorded'));
    return;
  }
  const src = `/api/campaigns/${encodeURIComponent(a.campaignId ?? state.campaignId)}/attempts/${encodeURIComponent(a.channel_id)}/recording`;
  const label = `${rec.duration_s} s`;
  const play = h(
    'button',
    {
      type: 'button',
      class: 'play',
      'aria-label': `Play the recording of ${a.number}, attempt ${a.attempt} (${label})`,
      title: `${rec.format} on ${rec.asterisk}`,
    },
    `▶ ${label}`,
  );
  play.addEventListener('click', () => {
    const audio = h('audio', { controls: true, preload: 'metadata', src, 'aria-label': `Recording of ${a.number}, attempt ${a.attempt}` });
    td.replaceChildren(audio);
    audio.play().catch(() => undefined);
  });
  td.replaceChildren(play);
}

/** Keys pressed, how the message ended and what the dialplan set, in a few words (`optout · 9`). */
function afterAnswer(a) {
  const parts = [];
  if (a.flow) parts.push(a.flow.replaceAll('_', ' '));
  if (a.keys) parts.push(`keys ${a.keys}`);
  for (const [k, v] of Object.entries(a.captured ?? {})) parts.push(`${k}=${v}`);
  if (a.machine_message_s !== undefined) parts.push(`voicemail ${a.machine_message_s} s`);
  return parts.join(' · ');
}

export function bindResults() {
  $('#results-filter').addEventListener('change', (ev) => {
    state.results.disposition = ev.target.value;
    state.results.offset = 0;
    $('#results tbody').replaceChildren();
    loadResults(true);
  });
  $('#results-prev').addEventListener('click', () => {
    state.results.offset = Math.max(0, state.results.offset - PAGE);
    loadResults(true);
  });
  $('#results-next').addEventListener('click', () => {
    state.results.offset += PAGE;
    loadResults(true);
  });
}
