// ari-dialer dashboard: plain DOM and ES modules, no framework, no build step. Data comes from /api and /live.
import { $, api, flash } from './js/dom.js';
import { bindCampaignControls, loadCampaign, renderCampaign, resetCampaign } from './js/campaign.js';
import { loadList, renderList } from './js/list.js';
import { createLive } from './js/live.js';
import { bindSearch, runSearch } from './js/search.js';
import { state } from './js/state.js';
import { bindUpload } from './js/upload.js';

const live = createLive((msg) => {
  if (msg.type === 'campaigns' && state.view === 'list') renderList(msg.campaigns);
  else if (msg.type === 'campaign' && state.view === 'campaign') renderCampaign(msg.detail);
});

function route() {
  const hash = location.hash || '#/';
  let m;
  if ((m = /^#\/c\/([A-Za-z0-9_-]+)$/.exec(hash))) show('campaign', m[1]);
  else if (hash === '#/new') show('new');
  else if ((m = /^#\/search\/(.+)$/.exec(hash))) show('search', undefined, decodeURIComponent(m[1]));
  else show('list');
}

function show(view, id, query) {
  const changed = state.view !== view || state.campaignId !== id;
  state.view = view;
  state.campaignId = id;
  for (const v of ['list', 'campaign', 'new', 'search']) $(`#view-${v}`).hidden = v !== view;
  flash('');
  if (view === 'campaign' && changed) {
    resetCampaign(id);
    loadCampaign(id);
  }
  if (view === 'list' && changed) loadList();
  if (view === 'search') runSearch(query);
  live.watch(view === 'campaign' ? id : view === 'list' ? null : false);
}

async function init() {
  try {
    const who = await api('/api/whoami');
    state.role = who.role;
    $('#who').textContent = who.open ? 'open (no token)' : who.role;
    $('#logout-form').hidden = who.open;
  } catch {
    return;
  }
  if (state.role !== 'operator') for (const el of document.querySelectorAll('[data-operator]')) el.hidden = true;
  bindSearch();
  bindUpload();
  bindCampaignControls();
  // An action succeeded (pause, resume, cancel): show its effect now rather than at the next push.
  window.addEventListener('dialer:changed', (ev) => {
    if (state.view === 'campaign' && state.campaignId === ev.detail.id) loadCampaign(ev.detail.id);
    else if (state.view === 'list') loadList();
  });
  window.addEventListener('hashchange', route);
  live.connect();
  route();
}

init();
