// The campaign list: one row per campaign, made once and patched by every live update.
import { $, api, flash, h, isAbort, keyedRows, pct, setAttr, setText } from './dom.js';
import { actionBar } from './actions.js';

export async function loadList() {
  try {
    renderList((await api('/api/campaigns')).campaigns);
  } catch (e) {
    if (!isAbort(e)) flash(`Could not load campaigns: ${e.message}`);
  }
}

export function renderList(rows) {
  const tbody = $('#campaigns tbody');
  $('#no-campaigns').hidden = rows.length > 0;
  $('#campaigns').hidden = rows.length === 0;
  keyedRows(tbody, rows, (c) => c.id, createRow, updateRow);
}

function createRow(c) {
  const cell = (cls) => h('td', cls ? { class: cls } : {});
  const tr = h('tr', { 'data-id': c.id });
  const name = cell();
  name.append(h('a', { href: `#/c/${encodeURIComponent(c.id)}`, class: 'name' }), h('div', { class: 'sub' }));
  const acts = h('div', { class: 'actions' });
  const actions = cell('actions-cell');
  actions.append(acts);
  tr.append(name, cell(), cell(), cell('num'), cell('num'), cell('num'), cell('num'), cell('num'), actions);
  tr.updateActions = actionBar(acts);
  tr.children[1].append(h('span', { class: 'state' }));
  tr.children[2].append(progressBar());
  return tr;
}

function updateRow(tr, c) {
  const td = tr.children;
  setText(td[0].firstChild, c.name);
  setText(td[0].lastChild, c.id);
  stateBadge(td[1].firstChild, c);
  updateProgress(td[2].firstChild, c);
  setText(td[3], c.attempts);
  setText(td[4], c.dialed ? `${pct(c.answeredRate)} (${c.answered}/${c.dialed})` : '–');
  setText(td[5], c.answered ? `${c.acdS.toFixed(1)} s` : '–');
  setText(td[6], c.state === 'finished' || c.state === 'cancelled' ? '–' : c.cpsNow.toFixed(1));
  setText(td[7], c.inflight);
  tr.updateActions(c);
}

/** The phase as a badge ("scheduled", "paused by breaker"), with its reason as a tooltip. */
export function stateBadge(el, c) {
  setText(el, c.phase);
  const cls = `state ${c.phase.replace(/ /g, '-')}`;
  if (el.className !== cls) el.className = cls;
  setAttr(el, 'title', c.phaseDetail);
}

/**
 * Progress as three parts of one bar: numbers dialed to a result, numbers ended without a call (cancelled or the
 * schedule's end), numbers left; the words say the same for those who do not read colours.
 */
export function progressBar() {
  return h(
    'div',
    { class: 'progress' },
    h('div', { class: 'bar', 'aria-hidden': 'true' }, h('span', { class: 'seg dialed' }), h('span', { class: 'seg notdialed' })),
    h('span', { class: 'words' }),
  );
}

export function updateProgress(el, c) {
  const total = c.total || 1;
  const nd = c.notDialed.cancelled + c.notDialed.schedule;
  const [dialed, notDialed] = el.firstChild.children;
  const w = (n) => `${Math.round((n / total) * 1000) / 10}%`;
  if (dialed.style.width !== w(c.dialed)) dialed.style.width = w(c.dialed);
  if (notDialed.style.width !== w(nd)) notDialed.style.width = w(nd);
  const parts = [`${c.dialed} dialed`];
  if (nd) parts.push(`${nd} not dialed`);
  parts.push(`${c.remaining} left of ${c.total}`);
  setText(el.lastChild, parts.join(' · '));
}
