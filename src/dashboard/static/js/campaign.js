// One campaign: figures, charts, calls in flight, latest results with paging and a filter, report links.
import { $, api, flash, h, pct, secs, time } from './dom.js';
import { actionButtons } from './list.js';
import { state } from './state.js';

const PAGE = 50;
const DISPOSITION_COLORS = {
  ANSWERED: '#2e7d32', BUSY: '#f9a825', NO_ANSWER: '#90a4ae', CONGESTION: '#ef6c00', REJECTED: '#c62828',
  FAILED: '#6a1b9a', CANCELLED: '#455a64', UNKNOWN: '#bdbdbd', ERROR: '#000000', INTERRUPTED: '#ff8f00',
};
const PALETTE = ['#1565c0', '#2e7d32', '#f9a825', '#c62828', '#6a1b9a', '#ef6c00', '#00838f', '#90a4ae', '#5d4037', '#ad1457'];

/** A different campaign is on screen: forget the last one's snapshot and paging. */
export function resetCampaign(id) {
  clearTimeout(state.results.trailing);
  state.detail = undefined;
  state.results = { offset: 0, disposition: '', loading: false, lastLoad: 0, trailing: undefined };
  $('#results-filter').value = '';
  $('#c-name').textContent = id;
}

export async function loadCampaign(id) {
  try {
    renderCampaign(await api(`/api/campaigns/${encodeURIComponent(id)}`));
    loadResults(true);
  } catch (e) {
    flash(e.status === 404 ? `No campaign ${id}` : `Could not load the campaign: ${e.message}`);
  }
}

export function renderCampaign(d) {
  if (state.view !== 'campaign' || d.campaign.id !== state.campaignId) return;
  const before = state.detail;
  state.detail = d;
  state.clockSkew = Date.parse(d.now) - Date.now();
  const c = d.campaign;
  $('#c-name').textContent = c.name;
  document.title = `${c.name} · ari-dialer`;
  const st = $('#c-state');
  st.textContent = c.state;
  st.className = `state ${c.state}`;
  // A pause by the circuit breaker says why (a dead trunk, a mistyped endpoint); one resume continues.
  const why = $('#c-paused');
  why.hidden = !c.paused;
  why.textContent = c.paused ? `Paused by its ${c.paused.by === 'breaker' ? 'circuit breaker' : 'operator'}: ${c.paused.reason}` : '';
  // What keeps its calls waiting: its own cps, a trunk's, the window, the schedule, a breaker.
  const holding = $('#c-holding');
  holding.hidden = !c.holdingBack.length;
  holding.textContent = c.holdingBack.length ? `Held back by: ${c.holdingBack.map((x) => `${x.reason} (${x.detail})`).join('; ')}` : '';
  renderSchedule(c);
  $('#c-actions').replaceChildren(...actionButtons(c));
  const value = Math.round(c.progress * 1000) / 10;
  $('#c-progress').value = value;
  $('#c-progress-label').textContent = `${value} %`;
  const q = c.queue;
  const fig = (label, v) => h('div', {}, h('dt', {}, label), h('dd', {}, v));
  $('#c-figures').replaceChildren(
    fig('Numbers', c.total),
    fig('Done', c.done),
    fig('Attempts', c.attempts),
    fig('Answered', `${c.answered} (${pct(c.answeredRate)})`),
    fig('ACD', `${c.acdS.toFixed(1)} s`),
    fig('cps now', c.cpsNow.toFixed(1)),
    fig('In flight', c.inflight),
    fig('Queue', `${q.waiting + q.paused + q.prioritized} waiting, ${q.delayed} delayed, ${q.failed} failed`),
    fig('Endpoint', c.settings.endpoint),
    fig('Pacing', `${c.settings.cps} cps, ${c.settings.maxConcurrent} at once`),
    ...(c.settings.amd ? [fig('AMD', amdText(c.settings.amd))] : []),
    ...(c.rejected || c.duplicates || c.suppressed ? [fig('Import', `${c.rejected} rejected, ${c.duplicates} duplicates, ${c.suppressed} suppressed`)] : []),
  );
  renderInflight();
  renderCharts();
  if (!before) renderReportLinks(c.id);
  // New results arrived: refresh the table if the operator is looking at the newest page.
  else if (before.campaign.attempts !== c.attempts && state.results.offset === 0) loadResults(false);
}

/** "machine → hangup" or "machine → vm-drop,s,1", and NOTSURE when it is not taken for a person. */
function amdText(amd) {
  const m = amd.onMachine.action === 'hangup' ? 'hangup' : `${amd.onMachine.context},${amd.onMachine.extension},${amd.onMachine.priority}`;
  return `on: machine → ${m}${amd.notSureAs === 'machine' ? ', NOTSURE as machine' : ''}`;
}

/** The schedule form: shown while the campaign can still wait; filled once per campaign so typing is not undone. */
function renderSchedule(c) {
  const form = $('#c-schedule');
  const open = c.state !== 'finished' && c.state !== 'cancelled' && !(c.settings.endAt && Date.parse(c.settings.endAt) <= Date.now() + state.clockSkew);
  form.hidden = !open || state.role !== 'operator';
  if (form.dataset.campaign === c.id) return;
  form.dataset.campaign = c.id;
  const local = (iso) => (iso ? new Date(Date.parse(iso) - new Date(iso).getTimezoneOffset() * 60_000).toISOString().slice(0, 16) : '');
  form.elements.startAt.value = local(c.settings.startAt);
  form.elements.endAt.value = local(c.settings.endAt);
}

async function saveSchedule(ev) {
  ev.preventDefault();
  const form = $('#c-schedule');
  const iso = (v) => (v ? new Date(v).toISOString() : null);
  try {
    const r = await api(`/api/campaigns/${encodeURIComponent(state.campaignId)}/schedule`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ startAt: iso(form.elements.startAt.value), endAt: iso(form.elements.endAt.value) }),
    });
    flash(`Schedule saved: starts ${r.campaign.settings.startAt ?? 'now'}, ends ${r.campaign.settings.endAt ?? 'never'}`, 'ok');
  } catch (e) {
    flash(`Could not save the schedule: ${e.message}`);
  }
}

function renderReportLinks(id) {
  const link = (format, attempts, label) =>
    h('li', {}, h('a', { href: `/api/campaigns/${encodeURIComponent(id)}/report?format=${format}${attempts ? '&attempts=1' : ''}`, download: '' }, label));
  $('#report-links').replaceChildren(
    link('csv', false, 'CSV, one row per number'),
    link('csv', true, 'CSV, every attempt'),
    link('json', false, 'JSON with summary'),
    link('ndjson', true, 'NDJSON, every attempt'),
  );
}

function renderInflight() {
  const d = state.detail;
  const now = Date.now() + state.clockSkew;
  $('#inflight-count').textContent = `(${d.campaign.inflight})`;
  $('#inflight tbody').replaceChildren(
    ...d.inflight.map((call) =>
      h('tr', {},
        h('td', {}, call.number),
        h('td', { class: 'num' }, call.attempt),
        h('td', {}, call.state ?? 'dialing'),
        h('td', { class: 'num running', 'data-since': call.since }, secs(Math.max(0, (now - Date.parse(call.since)) / 1000))),
        h('td', { class: 'sub' }, call.worker))),
  );
  if (!d.inflight.length) $('#inflight tbody').append(h('tr', {}, h('td', { colspan: 5, class: 'empty' }, 'No calls in flight.')));
}

/** Running durations tick every second between updates. */
export function tickDurations() {
  const now = Date.now() + state.clockSkew;
  for (const td of document.querySelectorAll('#inflight td.running')) td.textContent = secs(Math.max(0, (now - Date.parse(td.dataset.since)) / 1000));
}

export function renderCharts() {
  const d = state.detail;
  if (!d || !window.Chart) return;
  let labels, values, colors;
  if ($('#outcomes-by').value === 'cause') {
    labels = d.causes.map((x) => x.cause);
    values = d.causes.map((x) => x.count);
    colors = labels.map((_, i) => PALETTE[i % PALETTE.length]);
  } else {
    labels = Object.keys(d.final).filter((k) => d.final[k] > 0);
    values = labels.map((k) => d.final[k]);
    colors = labels.map((k) => DISPOSITION_COLORS[k] || '#999');
  }
  upsertChart('outcomes', '#chart-outcomes', () => ({
    type: 'doughnut',
    data: { labels, datasets: [{ data: values, backgroundColor: colors }] },
    options: { animation: false, maintainAspectRatio: false, plugins: { legend: { position: 'right' } } },
  }), (ch) => {
    ch.data.labels = labels;
    ch.data.datasets[0].data = values;
    ch.data.datasets[0].backgroundColor = colors;
  });
  // Zero buckets around the data: before the first call nothing happened, and after a finished campaign's last
  // call neither; a short campaign then still shows a rise and fall rather than one lonely point.
  const tl = d.timeline.length ? [{ t: d.timeline[0].t - 10, attempts: 0, answered: 0 }, ...d.timeline] : [];
  const done = ['finished', 'cancelled'].includes(d.campaign.state);
  if (tl.length && done) tl.push({ t: tl[tl.length - 1].t + 10, attempts: 0, answered: 0 });
  const tLabels = tl.map((b) => new Date(b.t * 1000).toLocaleTimeString());
  upsertChart('timeline', '#chart-timeline', () => ({
    type: 'line',
    data: {
      labels: tLabels,
      datasets: [
        { label: 'Attempts', data: tl.map((b) => b.attempts), borderColor: '#1565c0', backgroundColor: '#1565c0', tension: 0.2 },
        { label: 'Answered', data: tl.map((b) => b.answered), borderColor: '#2e7d32', backgroundColor: '#2e7d32', tension: 0.2 },
      ],
    },
    options: { animation: false, maintainAspectRatio: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  }), (ch) => {
    ch.data.labels = tLabels;
    ch.data.datasets[0].data = tl.map((b) => b.attempts);
    ch.data.datasets[1].data = tl.map((b) => b.answered);
  });
}

function upsertChart(key, canvas, create, update) {
  const ch = state.charts[key];
  if (!ch) state.charts[key] = new window.Chart($(canvas), create());
  else {
    update(ch);
    ch.update('none');
  }
}

export async function loadResults(force) {
  const id = state.campaignId;
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
    if (state.campaignId !== id) return;
    $('#results tbody').replaceChildren(
      ...page.items.map((a) =>
        h('tr', {},
          h('td', {}, time(a.ended_at)),
          h('td', {}, a.number),
          h('td', { class: 'num' }, a.attempt),
          h('td', {}, h('span', { class: `disp ${a.disposition}` }, a.disposition)),
          h('td', {}, a.cause_txt ? `${a.cause_txt} (${a.cause})` : String(a.cause)),
          h('td', { title: a.amd_cause ? `${a.amd_cause}, ${a.amd_ms} ms` : '' }, a.amd_status ?? ''),
          h('td', { class: 'num' }, a.ring_s.toFixed(1)),
          h('td', { class: 'num' }, a.talk_s.toFixed(1)),
          h('td', {}, a.final ? 'yes' : 'retry'),
          h('td', {}, a.callerid || ''))),
    );
    if (!page.items.length) $('#results tbody').append(h('tr', {}, h('td', { colspan: 9, class: 'empty' }, 'No results yet.')));
    $('#results-range').textContent = `${page.total ? r.offset + 1 : 0}–${r.offset + page.items.length} of ${page.total}`;
    $('#results-prev').disabled = r.offset === 0;
    $('#results-next').disabled = r.offset + PAGE >= page.total;
  } catch (e) {
    flash(`Could not load results: ${e.message}`);
  } finally {
    r.loading = false;
  }
}

/** The page's own controls: chart switch, filter, paging. */
export function bindCampaignControls() {
  $('#outcomes-by').addEventListener('change', renderCharts);
  $('#c-schedule').addEventListener('submit', saveSchedule);
  $('#results-filter').addEventListener('change', (ev) => {
    state.results.disposition = ev.target.value;
    state.results.offset = 0;
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
  setInterval(tickDurations, 1000);
}
