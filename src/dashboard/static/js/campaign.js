// One campaign: state, figures, schedule, webhook, calls in flight, charts, latest results, report links. Built once
// per campaign shown; every live snapshot only patches text, so nothing a person is using is ever replaced.
import { $, announce, api, emptyRow, flash, h, isAbort, keyedRows, pct, secs, setBreakable, setText } from './dom.js';
import { actionBar } from './actions.js';
import { loadAudit } from './audit.js';
import { renderCharts, resetCharts } from './charts.js';
import { progressBar, stateBadge, updateProgress } from './list.js';
import { loadResults, resetResults } from './results.js';
import { state } from './state.js';
import { activeZone, fmt, fromInput, setCampaignZone, setTime, timeEl, toInput } from './time.js';

let updateActions = () => undefined;
const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})/g;
/** Server texts name times in ISO (UTC): shown in the zone the page uses, like every other time. */
const localize = (text) => (text || '').replace(ISO, (iso) => fmt(iso));

/** A different campaign is on screen: forget the last one's snapshot, charts and paging. */
export function resetCampaign(id) {
  state.detail = undefined;
  resetResults();
  resetCharts();
  setText($('#c-name'), id);
  stateBadge($('#c-state'), { phase: 'loading' });
  if (!$('#c-progress').firstChild) $('#c-progress').append(progressBar());
  updateActions = actionBar($('#c-actions'));
  $('#inflight tbody').replaceChildren();
  $('#audit tbody').replaceChildren();
  const form = $('#c-schedule');
  form.hidden = true;
  delete form.dataset.campaign;
  form.dataset.dirty = '';
  renderReportLinks(id);
}

export async function loadCampaign(id) {
  try {
    renderCampaign(await api(`/api/campaigns/${encodeURIComponent(id)}`));
    loadResults(true);
    loadAudit(id);
  } catch (e) {
    if (!isAbort(e) && state.campaignId === id) flash(e.status === 404 ? `No campaign ${id}` : `Could not load the campaign: ${e.message}`);
  }
}

export function renderCampaign(d) {
  if (state.view !== 'campaign' || d.campaign.id !== state.campaignId) return;
  const before = state.detail;
  state.detail = d;
  state.clockSkew = Date.parse(d.now) - Date.now();
  const c = d.campaign;
  setCampaignZone(c.settings.window?.timezone);
  setText($('#c-name'), c.name);
  document.title = `${c.name} · ari-dialer`;
  stateBadge($('#c-state'), c);
  if (before && before.campaign.phase !== c.phase) announce(`${c.name} is now ${c.phase}`);
  // A state change is someone's action (or the campaign's end): the record below has a new line.
  if (before && before.campaign.state !== c.state) loadAudit(c.id);
  // A pause by the circuit breaker says why (a dead trunk, a mistyped endpoint); one resume continues.
  const why = $('#c-paused');
  why.hidden = !c.paused;
  setText(why, c.paused ? `Paused by its ${c.paused.by === 'breaker' ? 'circuit breaker' : 'operator'}: ${c.paused.reason}` : '');
  // What keeps its calls waiting: its own cps, a trunk's, the window, the schedule, a breaker.
  const holding = $('#c-holding');
  holding.hidden = !c.holdingBack.length;
  setText(holding, c.holdingBack.length ? `Held back by: ${c.holdingBack.map((x) => `${x.reason} (${localize(x.detail)})`).join('; ')}` : '');
  renderSchedule(c);
  updateActions(c);
  updateProgress($('#c-progress').firstChild, c);
  renderFigures(d);
  renderInflight();
  renderCharts();
  // New results arrived: refresh the table if the operator is looking at the newest page.
  if (before && before.campaign.attempts + before.campaign.done !== c.attempts + c.done && state.results.offset === 0) loadResults(false);
}

function fig(key, value, show = true) {
  const dd = document.querySelector(`#c-figures [data-f="${key}"]`);
  if (!dd) return;
  dd.parentElement.hidden = !show;
  if (value instanceof Function) value(dd);
  else setText(dd, value);
}

function renderFigures(d) {
  const c = d.campaign;
  const s = c.settings;
  const q = c.queue;
  const nd = c.notDialed.cancelled + c.notDialed.schedule;
  const over = c.state === 'finished' || c.state === 'cancelled';
  fig(
    'numbers',
    `${c.total}${c.rejected || c.duplicates || c.suppressed ? ` (import: ${c.rejected} rejected, ${c.duplicates} duplicates, ${c.suppressed} suppressed)` : ''}`,
  );
  fig('dialed', `${c.dialed} numbers, ${c.attempts} calls`);
  fig('notdialed', `${nd}: ${c.notDialed.cancelled} cancelled, ${c.notDialed.schedule} ended by schedule`, nd > 0);
  fig('left', c.remaining);
  fig('rate', c.dialed ? `${pct(c.answeredRate)} of numbers dialed (${c.answered}/${c.dialed})` : 'nothing dialed yet');
  fig('attemptrate', c.attempts ? `${pct(c.attemptAnswerRate)} of ${c.attempts} calls` : '–');
  fig('amd', c.amd ? `${c.amd.people} people, ${c.amd.machines} machines` : '', Boolean(c.amd));
  fig('message', c.message ? messageText(c.message) : '', Boolean(c.message));
  fig('captured', c.captured ? capturedText(c.captured) : '', Boolean(c.captured));
  fig('acd', c.answered ? `${c.acdS.toFixed(1)} s` : '–');
  fig('cps', over ? '–' : c.cpsNow.toFixed(1));
  fig('inflight', c.inflight);
  // A list in PostgreSQL: most numbers wait there; the queue holds only the hopper's next ones.
  const ready = q.waiting + q.paused + q.prioritized;
  fig(
    'queue',
    c.inList === undefined
      ? `${ready} waiting, ${q.delayed} delayed, ${q.failed} failed`
      : `${c.inList} in the list (PostgreSQL), ${ready} ready in Redis, ${q.delayed} delayed, ${q.failed} failed`,
  );
  fig('created', (dd) => setTimeIn(dd, c.createdAt));
  const started = Date.parse(c.startedAt) <= Date.parse(d.now);
  fig('started', (dd) => setTimeIn(dd, c.startedAt));
  setText($('#c-figures [data-l="started"]'), started ? 'Started' : 'Starts');
  // Its end: when it finished or was cancelled, else the end its schedule sets.
  const end = c.endedAt ?? s.endAt;
  fig('ended', (dd) => setTimeIn(dd, end), Boolean(end));
  setText($('#c-figures [data-l="ended"]'), c.endedAt ? (c.state === 'cancelled' ? 'Cancelled' : 'Finished') : 'Ends');
  // A short campaign says 0.6s rather than 0s next to start and end times a second apart.
  // Paused time is part of it, said next to it (the time left leaves it out).
  const paused = c.pausedS >= 1 ? `, ${secs(c.pausedS)} of it paused` : '';
  fig('duration', `${c.durationS < 10 ? `${c.durationS.toFixed(1)}s` : secs(c.durationS)}${paused}`, started);
  // A pace measured over seconds is no promise to the second: below a minute it says so.
  fig('timeleft', c.timeLeftS === null ? '–' : c.timeLeftS < 60 ? 'under a minute' : `about ${secs(c.timeLeftS)}`, !over);
  fig('endpoint', (dd) => setBreakable(dd, s.endpoint));
  fig('pacing', `${s.cps} cps, ${s.maxConcurrent} at once`);
  fig('window', s.window ? `${s.window.start}–${s.window.end} ${s.window.timezone}` : '', Boolean(s.window));
  fig('amdset', s.amd ? amdText(s.amd) : '', Boolean(s.amd));
  const w = d.webhook;
  $('#c-webhook').hidden = !w;
  if (w) {
    setBreakable($('#wh-url'), w.url);
    setText($('#wh-counts'), `${w.delivered} delivered, ${w.failed} failed, ${w.pending} pending`);
    $('#wh-error').hidden = !w.lastError;
    setText($('#wh-error'), w.lastError ? `Last error (${fmt(w.lastError.at)}): ${w.lastError.message}` : '');
  }
  setText($('#cps-note'), `cps now: calls started in the last ${d.measures.cpsWindowS} s ÷ ${d.measures.cpsWindowS}.`);
  setText($('#timeline-note'), `Each point: calls that ended in that ${d.measures.bucketS}-second bucket (times in ${activeZone()}).`);
}

function setTimeIn(dd, iso) {
  const t = dd.querySelector('time');
  if (t) setTime(t, iso);
  else dd.replaceChildren(timeEl(iso));
}

/** Press rate per key, opt-out rate and what callees heard of the message, live. */
function messageText(m) {
  const keys =
    Object.entries(m.press_rate)
      .map(([k, r]) => `${k}: ${pct(r)}`)
      .join(', ') || 'no key yet';
  return `${m.calls} heard it; pressed ${keys}; opt-outs ${pct(m.optout_rate)} (${m.opted_out}); heard ${m.avg_heard_s.toFixed(1)} s on average`;
}

/** Each captured variable's most frequent values so far: "SURVEY_ANSWER: 1 23.0 %, 2 61.0 % (of 80)". */
function capturedText(captured) {
  return Object.entries(captured)
    .map(
      ([name, v]) =>
        `${name}: ${Object.entries(v.values)
          .slice(0, 5)
          .map(([value, x]) => `${value === '' ? '(empty)' : value} ${pct(x.share)}`)
          .join(', ')} (of ${v.calls})`,
    )
    .join('; ');
}

/** "on; machines hung up" or "on; machines sent to vm-drop,s,1", and NOTSURE when it is not taken for a person. */
function amdText(amd) {
  const m = amd.onMachine.action === 'hangup' ? 'hung up' : `sent to ${amd.onMachine.context},${amd.onMachine.extension},${amd.onMachine.priority}`;
  return `on; machines ${m}${amd.notSureAs === 'machine' ? '; NOTSURE taken as a machine' : ''}`;
}

/** The schedule form: only for operators, only while the campaign can still wait; filled until the user types. */
function renderSchedule(c) {
  const form = $('#c-schedule');
  const open =
    state.role === 'operator' &&
    c.state !== 'finished' &&
    c.state !== 'cancelled' &&
    !(c.settings.endAt && Date.parse(c.settings.endAt) <= Date.now() + state.clockSkew);
  form.hidden = !open;
  if (form.dataset.dirty) return;
  form.dataset.campaign = c.id;
  const start = toInput(c.settings.startAt);
  const end = toInput(c.settings.endAt);
  if (form.elements.startAt.value !== start) form.elements.startAt.value = start;
  if (form.elements.endAt.value !== end) form.elements.endAt.value = end;
}

async function saveSchedule(ev) {
  ev.preventDefault();
  const form = $('#c-schedule');
  try {
    const r = await api(`/api/campaigns/${encodeURIComponent(state.campaignId)}/schedule`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ startAt: fromInput(form.elements.startAt.value), endAt: fromInput(form.elements.endAt.value) }),
    });
    form.dataset.dirty = '';
    const s = r.campaign.settings;
    flash(`Schedule saved: starts ${s.startAt ? fmt(s.startAt) : 'now'}, ends ${s.endAt ? fmt(s.endAt) : 'never'}`, 'ok');
  } catch (e) {
    if (!isAbort(e)) flash(`Could not save the schedule: ${e.message}`);
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
  setText($('#inflight-count'), `(${d.campaign.inflight})`);
  const tbody = $('#inflight tbody');
  if (!d.inflight.length) return emptyRow(tbody, 5, 'No calls in flight.');
  keyedRows(
    tbody,
    d.inflight,
    (call) => call.channelId,
    (call) =>
      h(
        'tr',
        {},
        h('td', { class: 'nowrap' }, call.number),
        h('td', { class: 'num' }, call.attempt),
        h('td', {}),
        h('td', { class: 'num running', 'data-since': call.since }),
        h('td', { class: 'sub' }, call.worker),
      ),
    (tr, call) => setText(tr.children[2], call.state ?? 'dialing'),
  );
  tickDurations();
}

/** Running durations tick every second between updates. */
function tickDurations() {
  const now = Date.now() + state.clockSkew;
  for (const td of document.querySelectorAll('#inflight td.running')) setText(td, secs(Math.max(0, (now - Date.parse(td.dataset.since)) / 1000)));
}

/** The page's own controls: chart switch, schedule. */
export function bindCampaignControls() {
  $('#outcomes-by').addEventListener('change', renderCharts);
  const form = $('#c-schedule');
  form.addEventListener('submit', saveSchedule);
  form.addEventListener('input', () => (form.dataset.dirty = '1'));
  window.addEventListener('dialer:zone', () => {
    if (state.view !== 'campaign' || !state.detail) return;
    form.dataset.dirty = '';
    renderCampaign(state.detail);
  });
  setInterval(tickDurations, 1000);
}
