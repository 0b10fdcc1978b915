// The campaign list, and the pause/resume/cancel/delete buttons it shares with the campaign page.
import { $, api, flash, h, pct } from './dom.js';
import { state } from './state.js';

export async function loadList() {
  try {
    renderList((await api('/api/campaigns')).campaigns);
  } catch (e) {
    flash(`Could not load campaigns: ${e.message}`);
  }
}

export function renderList(rows) {
  $('#campaigns tbody').replaceChildren(
    ...rows.map((c) =>
      h('tr', { 'data-id': c.id },
        h('td', {}, h('a', { href: `#/c/${c.id}` }, c.name), h('div', { class: 'sub' }, c.id)),
        h('td', {}, h('span', { class: `state ${c.state}`, title: c.paused ? c.paused.reason : '' }, c.paused?.by === 'breaker' ? 'paused (breaker)' : c.state)),
        h('td', {}, progressCell(c)),
        h('td', { class: 'num' }, c.attempts),
        h('td', { class: 'num' }, pct(c.answeredRate)),
        h('td', { class: 'num' }, `${c.acdS.toFixed(1)} s`),
        h('td', { class: 'num' }, c.cpsNow.toFixed(1)),
        h('td', { class: 'num' }, c.inflight),
        h('td', { class: 'actions' }, actionButtons(c)))),
  );
  $('#no-campaigns').hidden = rows.length > 0;
}

function progressCell(c) {
  const value = Math.round(c.progress * 1000) / 10;
  return h('span', { class: 'progress-cell' },
    h('progress', { max: 100, value, 'aria-label': `Progress of ${c.name}` }),
    h('span', { class: 'pct' }, `${value} %`),
    h('span', { class: 'of' }, `${c.done}/${c.total}`));
}

/** Real buttons named after the campaign ("Pause spring sale"), disabled with a reason for viewers. */
export function actionButtons(c) {
  const can = state.role === 'operator';
  const btn = (verb, label, show) =>
    show
      ? h('button', { type: 'button', class: `act ${verb}`, disabled: !can, title: can ? undefined : 'needs the operator role', 'aria-label': `${label} ${c.name}`, onclick: () => act(c.id, verb) }, label)
      : null;
  const live = c.state === 'running' || c.state === 'importing';
  const ended = c.state === 'finished' || c.state === 'cancelled';
  return [
    btn('pause', 'Pause', live),
    btn('resume', 'Resume', c.state === 'paused'),
    btn('cancel', 'Cancel', live || c.state === 'paused'),
    ended && h('button', { type: 'button', class: 'act delete', disabled: !can, title: can ? undefined : 'needs the operator role', 'aria-label': `Delete ${c.name}`, onclick: () => remove(c) }, 'Delete'),
  ].filter(Boolean);
}

/** Deleting cannot be undone: the operator types the campaign's id, and the server checks it again (?confirm=). */
async function remove(c) {
  const typed = prompt(`Delete "${c.name}" for good? Its results, attempts, counters and queues leave Redis (download its report first if you need it).\n\nType the campaign id to confirm: ${c.id}`);
  if (typed === null) return;
  if (typed.trim() !== c.id) {
    flash(`${c.name}: not deleted (the id typed did not match ${c.id})`);
    return;
  }
  try {
    await api(`/api/campaigns/${encodeURIComponent(c.id)}?confirm=${encodeURIComponent(c.id)}`, { method: 'DELETE' });
    flash(`${c.name}: deleted`, 'ok');
    if (state.view === 'campaign') location.hash = '#/';
    else loadList();
  } catch (e) {
    flash(`Could not delete: ${e.message}`);
  }
}

async function act(id, verb) {
  if (verb === 'cancel' && !confirm('Cancel this campaign? Numbers not yet dialed become CANCELLED.')) return;
  try {
    const { campaign } = await api(`/api/campaigns/${encodeURIComponent(id)}/${verb}`, { method: 'POST' });
    flash(`${campaign.name}: ${campaign.state}`, 'ok');
    window.dispatchEvent(new CustomEvent('dialer:changed', { detail: { id } }));
  } catch (e) {
    flash(`Could not ${verb}: ${e.message}`);
  }
}
