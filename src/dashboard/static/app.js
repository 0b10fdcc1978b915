// ari-dialer dashboard: plain DOM and ES modules, no framework, no build step. Data comes from /api and /live.
import { $, api, flash, mb, newViewSignal, watchScrollers } from './js/dom.js';
import { bindCampaignControls, loadCampaign, renderCampaign, resetCampaign } from './js/campaign.js';
import { loadList, renderList } from './js/list.js';
import { createLive } from './js/live.js';
import { bindResults, stopResults } from './js/results.js';
import { bindSearch, runSearch } from './js/search.js';
import { state } from './js/state.js';
import { browserZone, refreshTimes, setCampaignZone, setZoneMode, zoneMode } from './js/time.js';
import { bindUpload } from './js/upload.js';

const TITLES = { list: 'Campaigns', new: 'New campaign', search: 'Search' };

const live = createLive((msg) => {
  if (msg.type === 'campaigns' && state.view === 'list') renderList(msg.campaigns);
  else if (msg.type === 'campaign' && state.view === 'campaign') renderCampaign(msg.detail);
});

function route() {
  const hash = location.hash || '#/';
  let m;
  if ((m = /^#\/c\/([A-Za-z0-9_-]+)$/.exec(hash))) show('campaign', m[1]);
  else if (hash === '#/new') show('new');
  else if ((m = /^#\/search\/([^?]+)(?:\?(.*))?$/.exec(hash)))
    show('search', undefined, { q: decodeURIComponent(m[1]), filters: new URLSearchParams(m[2] || '') });
  else show('list');
}

/** A message that must survive the next view change (e.g. "Campaign started" while the page moves to it). */
let carried;
export function flashAcross(message) {
  carried = message;
}

function show(view, id, search) {
  const changed = state.view !== view || state.campaignId !== id;
  if (changed) {
    // Leaving a view stops what it was fetching and its pending refreshes: nothing of it can land on the next one.
    newViewSignal();
    stopResults();
  }
  state.view = view;
  state.campaignId = id;
  for (const v of ['list', 'campaign', 'new', 'search']) $(`#view-${v}`).hidden = v !== view;
  if (carried) flash(carried, 'ok');
  else if (changed) flash('');
  carried = undefined;
  if (view !== 'campaign') {
    document.title = `${TITLES[view]} · ari-dialer`;
    setCampaignZone(undefined);
  }
  if (view === 'campaign' && changed) {
    document.title = `${id} · ari-dialer`;
    resetCampaign(id);
    loadCampaign(id);
  }
  if (view === 'list' && changed) loadList();
  if (view === 'search') runSearch(search.q, search.filters);
  if (view === 'new') {
    $('#new-denied').hidden = state.role === 'operator';
    $('#upload-form').hidden = state.role !== 'operator';
  }
  live.watch(view === 'campaign' ? id : view === 'list' ? null : false);
  if (changed && document.activeElement === document.body) $('#main').focus({ preventScroll: true });
}

async function init() {
  try {
    const who = await api('/api/whoami');
    state.role = who.role;
    state.maxUploadBytes = who.maxUploadBytes || 0;
    $('#who').textContent = who.open ? 'open (no token)' : who.role;
    $('#logout-form').hidden = who.open;
  } catch {
    return;
  }
  if (state.role !== 'operator') for (const el of document.querySelectorAll('[data-operator]')) el.hidden = true;
  if (state.maxUploadBytes) $('#u-max').textContent = mb(state.maxUploadBytes);
  const zone = $('#zone');
  // The city alone ("New York"): the header stays one short row on a phone; every time shown names its zone.
  zone.options[0].textContent = `Times: browser (${browserZone().split('/').pop().replaceAll('_', ' ')})`;
  zone.title = `Times in: this browser's zone is ${browserZone()}`;
  zone.value = zoneMode();
  zone.addEventListener('change', () => setZoneMode(zone.value));
  refreshTimes();
  watchScrollers();
  bindSearch();
  bindUpload(flashAcross);
  bindResults();
  bindCampaignControls();
  // An action succeeded (pause, resume, cancel): show its effect now rather than at the next push.
  window.addEventListener('dialer:changed', (ev) => {
    const c = ev.detail.campaign;
    if (state.view === 'campaign' && state.campaignId === c.id) loadCampaign(c.id);
    else if (state.view === 'list') loadList();
  });
  window.addEventListener('dialer:deleted', () => {
    if (state.view === 'campaign') location.hash = '#/';
    else loadList();
  });
  window.addEventListener('hashchange', route);
  live.connect();
  route();
}

init();
