// ari-dialer dashboard: plain DOM, no framework, no build step. Data comes from /api and the /live WebSocket.
// Everything from the server is put on the page as text (never innerHTML), so a number or a name cannot inject.
'use strict';

(() => {
  const $ = (sel) => document.querySelector(sel);
  const PAGE = 50;
  const DISPOSITION_COLORS = {
    ANSWERED: '#2e7d32', BUSY: '#f9a825', NO_ANSWER: '#90a4ae', CONGESTION: '#ef6c00', REJECTED: '#c62828',
    FAILED: '#6a1b9a', CANCELLED: '#455a64', UNKNOWN: '#bdbdbd', ERROR: '#000000',
  };
  const PALETTE = ['#1565c0', '#2e7d32', '#f9a825', '#c62828', '#6a1b9a', '#ef6c00', '#00838f', '#90a4ae', '#5d4037', '#ad1457'];

  const state = {
    role: 'viewer',
    view: undefined,
    campaignId: undefined,
    detail: undefined,
    clockSkew: 0, // server time - browser time, ms
    results: { offset: 0, disposition: '', loading: false, lastLoad: 0 },
    preview: undefined,
    charts: {},
  };

  // ---------- small helpers ----------

  /** Creates an element; strings and numbers become text nodes. */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = String(v);
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat()) if (c !== undefined && c !== null) el.append(c instanceof Node ? c : String(c));
    return el;
  }

  const pct = (x) => `${Math.floor(x * 1000) / 10} %`;
  const secs = (s) => (s >= 3600 ? `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m` : s >= 60 ? `${Math.floor(s / 60)}m ${Math.floor(s % 60)}s` : `${Math.floor(s)}s`);
  const time = (iso) => (iso ? new Date(iso).toLocaleTimeString() : '');

  let flashTimer;
  /** Errors stay until the next view; confirmations fade after a few seconds. */
  function flash(message, kind) {
    const el = $('#flash');
    el.textContent = message;
    el.className = `flash ${kind || 'error'}`;
    el.hidden = !message;
    clearTimeout(flashTimer);
    if (message && kind === 'ok') flashTimer = setTimeout(() => (el.hidden = true), 4000);
  }

  async function api(path, init) {
    const res = await fetch(path, { credentials: 'same-origin', ...init, headers: { Accept: 'application/json', ...(init && init.headers) } });
    if (res.status === 401) {
      location.href = '/login';
      throw new Error('not logged in');
    }
    const body = res.headers.get('content-type')?.includes('json') ? await res.json() : undefined;
    if (!res.ok) {
      const err = new Error((body && body.error && body.error.message) || `${res.status} ${res.statusText}`);
      err.status = res.status;
      err.body = body;
      throw err;
    }
    return body;
  }

  // ---------- routing ----------

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
      state.detail = undefined;
      clearTimeout(state.results.trailing);
      state.results = { offset: 0, disposition: '', loading: false, lastLoad: 0, trailing: undefined };
      $('#results-filter').value = '';
      $('#c-name').textContent = id;
      loadCampaign(id);
    }
    if (view === 'list' && changed) loadList();
    if (view === 'search') runSearch(query);
    live.watch(view === 'campaign' ? id : view === 'list' ? null : undefined);
  }

  // ---------- campaign list ----------

  async function loadList() {
    try {
      renderList((await api('/api/campaigns')).campaigns);
    } catch (e) {
      flash(`Could not load campaigns: ${e.message}`);
    }
  }

  function actionButtons(c) {
    const can = state.role === 'operator';
    const btn = (verb, label, show) =>
      show ? h('button', { type: 'button', class: `act ${verb}`, disabled: !can, title: can ? undefined : 'needs the operator role', 'aria-label': `${label} ${c.name}`, onclick: () => act(c.id, verb) }, label) : null;
    const live = c.state === 'running' || c.state === 'importing';
    return [btn('pause', 'Pause', live), btn('resume', 'Resume', c.state === 'paused'), btn('cancel', 'Cancel', live || c.state === 'paused')];
  }

  function progress(c) {
    const value = Math.round(c.progress * 1000) / 10;
    return h('span', { class: 'progress-cell' },
      h('progress', { max: 100, value, 'aria-label': `Progress of ${c.name}` }),
      h('span', { class: 'pct' }, `${value} %`),
      h('span', { class: 'of' }, `${c.done}/${c.total}`));
  }

  function renderList(rows) {
    const tbody = $('#campaigns tbody');
    tbody.replaceChildren(
      ...rows.map((c) =>
        h('tr', { 'data-id': c.id },
          h('td', {}, h('a', { href: `#/c/${c.id}` }, c.name), h('div', { class: 'sub' }, c.id)),
          h('td', {}, h('span', { class: `state ${c.state}` }, c.state)),
          h('td', {}, progress(c)),
          h('td', { class: 'num' }, c.attempts),
          h('td', { class: 'num' }, pct(c.answeredRate)),
          h('td', { class: 'num' }, `${c.acdS.toFixed(1)} s`),
          h('td', { class: 'num' }, c.cpsNow.toFixed(1)),
          h('td', { class: 'num' }, c.inflight),
          h('td', { class: 'actions' }, actionButtons(c)))),
    );
    $('#no-campaigns').hidden = rows.length > 0;
  }

  async function act(id, verb) {
    if (verb === 'cancel' && !confirm('Cancel this campaign? Numbers not yet dialed become CANCELLED.')) return;
    try {
      const { campaign } = await api(`/api/campaigns/${encodeURIComponent(id)}/${verb}`, { method: 'POST' });
      flash(`${campaign.name}: ${campaign.state}`, 'ok');
      if (state.view === 'campaign') loadCampaign(id);
      else loadList();
    } catch (e) {
      flash(`Could not ${verb}: ${e.message}`);
    }
  }

  // ---------- one campaign ----------

  async function loadCampaign(id) {
    try {
      renderCampaign(await api(`/api/campaigns/${encodeURIComponent(id)}`));
      loadResults(true);
    } catch (e) {
      flash(e.status === 404 ? `No campaign ${id}` : `Could not load the campaign: ${e.message}`);
    }
  }

  function renderCampaign(d) {
    if (state.view !== 'campaign' || d.campaign.id !== state.campaignId) return;
    const first = !state.detail;
    const before = state.detail;
    state.detail = d;
    state.clockSkew = Date.parse(d.now) - Date.now();
    const c = d.campaign;
    $('#c-name').textContent = c.name;
    document.title = `${c.name} · ari-dialer`;
    const st = $('#c-state');
    st.textContent = c.state;
    st.className = `state ${c.state}`;
    $('#c-actions').replaceChildren(...actionButtons(c).filter(Boolean));
    const value = Math.round(c.progress * 1000) / 10;
    $('#c-progress').value = value;
    $('#c-progress-label').textContent = `${value} %`;
    const fig = (label, v) => [h('div', {}, h('dt', {}, label), h('dd', {}, v))];
    $('#c-figures').replaceChildren(
      ...fig('Numbers', c.total),
      ...fig('Done', c.done),
      ...fig('Attempts', c.attempts),
      ...fig('Answered', `${c.answered} (${pct(c.answeredRate)})`),
      ...fig('ACD', `${c.acdS.toFixed(1)} s`),
      ...fig('cps now', c.cpsNow.toFixed(1)),
      ...fig('In flight', c.inflight),
      ...fig('Queue', `${c.queue.waiting + c.queue.paused + c.queue.prioritized} waiting, ${c.queue.delayed} delayed, ${c.queue.failed} failed`),
      ...fig('Endpoint', c.settings.endpoint),
      ...fig('Pacing', `${c.settings.cps} cps, ${c.settings.maxConcurrent} at once`),
      ...(c.rejected || c.duplicates || c.suppressed ? fig('Import', `${c.rejected} rejected, ${c.duplicates} duplicates, ${c.suppressed} suppressed`) : []),
    );
    renderInflight();
    renderCharts(d);
    if (first) {
      const link = (format, attempts, label) =>
        h('li', {}, h('a', { href: `/api/campaigns/${encodeURIComponent(c.id)}/report?format=${format}${attempts ? '&attempts=1' : ''}`, download: '' }, label));
      $('#report-links').replaceChildren(
        link('csv', false, 'CSV, one row per number'),
        link('csv', true, 'CSV, every attempt'),
        link('json', false, 'JSON with summary'),
        link('ndjson', true, 'NDJSON, every attempt'),
      );
    }
    // New results arrived: refresh the table if the operator is looking at the newest page.
    if (!first && before && before.campaign.attempts !== c.attempts && state.results.offset === 0) loadResults(false);
  }

  function renderInflight() {
    const d = state.detail;
    if (!d) return;
    const now = Date.now() + state.clockSkew;
    $('#inflight-count').textContent = `(${d.campaign.inflight})`;
    $('#inflight tbody').replaceChildren(
      ...d.inflight.map((call) =>
        h('tr', {},
          h('td', {}, call.number),
          h('td', { class: 'num' }, call.attempt),
          h('td', {}, 'dialing'),
          h('td', { class: 'num running', 'data-since': call.since }, secs(Math.max(0, (now - Date.parse(call.since)) / 1000))),
          h('td', { class: 'sub' }, call.worker))),
    );
    if (!d.inflight.length) $('#inflight tbody').append(h('tr', {}, h('td', { colspan: 5, class: 'empty' }, 'No calls in flight.')));
  }

  function tickDurations() {
    const now = Date.now() + state.clockSkew;
    for (const td of document.querySelectorAll('#inflight td.running')) {
      td.textContent = secs(Math.max(0, (now - Date.parse(td.dataset.since)) / 1000));
    }
  }

  function renderCharts(d) {
    if (!window.Chart) return;
    const by = $('#outcomes-by').value;
    let labels, values, colors;
    if (by === 'cause') {
      labels = d.causes.map((x) => x.cause);
      values = d.causes.map((x) => x.count);
      colors = labels.map((_, i) => PALETTE[i % PALETTE.length]);
    } else {
      labels = Object.keys(d.final).filter((k) => d.final[k] > 0);
      values = labels.map((k) => d.final[k]);
      colors = labels.map((k) => DISPOSITION_COLORS[k] || '#999');
    }
    const outcomes = state.charts.outcomes;
    if (!outcomes) {
      state.charts.outcomes = new Chart($('#chart-outcomes'), {
        type: 'doughnut',
        data: { labels, datasets: [{ data: values, backgroundColor: colors }] },
        options: { animation: false, maintainAspectRatio: false, plugins: { legend: { position: 'right' } } },
      });
    } else {
      outcomes.data.labels = labels;
      outcomes.data.datasets[0].data = values;
      outcomes.data.datasets[0].backgroundColor = colors;
      outcomes.update('none');
    }
    const tl = d.timeline;
    const tLabels = tl.map((b) => new Date(b.t * 1000).toLocaleTimeString());
    const line = state.charts.timeline;
    if (!line) {
      state.charts.timeline = new Chart($('#chart-timeline'), {
        type: 'line',
        data: {
          labels: tLabels,
          datasets: [
            { label: 'Attempts', data: tl.map((b) => b.attempts), borderColor: '#1565c0', backgroundColor: '#1565c0', tension: 0.2 },
            { label: 'Answered', data: tl.map((b) => b.answered), borderColor: '#2e7d32', backgroundColor: '#2e7d32', tension: 0.2 },
          ],
        },
        options: { animation: false, maintainAspectRatio: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
      });
    } else {
      line.data.labels = tLabels;
      line.data.datasets[0].data = tl.map((b) => b.attempts);
      line.data.datasets[1].data = tl.map((b) => b.answered);
      line.update('none');
    }
  }

  async function loadResults(force) {
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
            h('td', { class: 'num' }, a.ring_s.toFixed(1)),
            h('td', { class: 'num' }, a.talk_s.toFixed(1)),
            h('td', {}, a.final ? 'yes' : 'retry'))),
      );
      if (!page.items.length) $('#results tbody').append(h('tr', {}, h('td', { colspan: 8, class: 'empty' }, 'No results yet.')));
      const from = page.total ? r.offset + 1 : 0;
      $('#results-range').textContent = `${from}–${r.offset + page.items.length} of ${page.total}`;
      $('#results-prev').disabled = r.offset === 0;
      $('#results-next').disabled = r.offset + PAGE >= page.total;
    } catch (e) {
      flash(`Could not load results: ${e.message}`);
    } finally {
      r.loading = false;
    }
  }

  // ---------- upload ----------

  function uploadBody() {
    const f = $('#upload-form');
    const file = $('#u-file').files[0];
    if (!file) throw new Error('Pick a CSV file first.');
    const v = (name) => f.elements[name].value.trim();
    const settings = { endpoint: v('endpoint') };
    for (const k of ['callerId', 'context', 'extension', 'retry', 'window']) if (v(k)) settings[k] = v(k);
    for (const k of ['cps', 'maxConcurrent', 'timeoutS']) if (v(k)) settings[k] = Number(v(k));
    const options = { settings, skipInvalid: f.elements.skipInvalid.checked };
    if (v('name')) options.name = v('name');
    const body = new FormData();
    body.append('options', JSON.stringify(options));
    body.append('file', file, file.name);
    return body;
  }

  function showUploadResult(kind, title, counts, errors) {
    const box = $('#u-result');
    const parts = [h('p', { class: `summary ${kind}`, role: kind === 'error' ? 'alert' : undefined }, title)];
    if (counts) {
      parts.push(h('p', {}, `${counts.rows} rows: ${counts.accepted} to dial, ${counts.rejected} rejected, ${counts.duplicates} duplicates, ${counts.suppressed} suppressed.`));
    }
    if (errors && errors.length) {
      parts.push(h('ul', { class: 'row-errors', 'aria-label': 'Rows with errors' }, errors.map((e) => h('li', {}, h('strong', {}, `Line ${e.line}:`), ` ${e.reason}`))));
      if (counts && counts.rejected > errors.length) parts.push(h('p', {}, `… and ${counts.rejected - errors.length} more.`));
    }
    box.replaceChildren(...parts);
  }

  async function previewUpload(ev) {
    ev.preventDefault();
    $('#u-start').disabled = true;
    let body;
    try {
      body = uploadBody();
    } catch (e) {
      showUploadResult('error', e.message);
      return;
    }
    showUploadResult('busy', 'Checking…');
    try {
      const c = await api('/api/campaigns?preview=1', { method: 'POST', body });
      const ok = c.rejected === 0 || $('#u-skip').checked;
      showUploadResult(c.rejected ? 'error' : 'ok', c.rejected ? `${c.rejected} row(s) have errors${ok ? ' and will be skipped' : ': fix them, or tick "Accept only the good rows"'}.` : 'The file is fine.', c, c.errors);
      $('#u-start').disabled = !(ok && c.accepted > 0);
    } catch (e) {
      const line = e.body && e.body.error && e.body.error.line;
      showUploadResult('error', line ? `Line ${line}: ${e.message}` : e.message);
    }
  }

  async function startUpload() {
    $('#u-start').disabled = true;
    showUploadResult('busy', 'Starting…');
    try {
      const r = await api('/api/campaigns', { method: 'POST', body: uploadBody() });
      $('#upload-form').reset();
      $('#u-result').replaceChildren();
      location.hash = `#/c/${r.id}`;
      flash(`Campaign started: ${r.accepted} numbers to dial.`, 'ok');
    } catch (e) {
      const d = e.body && e.body.error;
      showUploadResult('error', e.message, d && d.rows !== undefined ? d : undefined, d && d.errors);
    }
  }

  // ---------- search ----------

  async function runSearch(q) {
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

  // ---------- live updates ----------

  const live = {
    ws: undefined,
    want: null,
    retry: 500,
    connect() {
      const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/live`);
      this.ws = ws;
      ws.addEventListener('open', () => {
        this.retry = 500;
        $('#live').textContent = 'live';
        $('#live').className = 'live on';
        if (this.want !== undefined) ws.send(JSON.stringify({ watch: this.want }));
      });
      ws.addEventListener('message', (ev) => {
        let msg;
        try {
          msg = JSON.parse(ev.data);
        } catch {
          return;
        }
        if (msg.type === 'campaigns' && state.view === 'list') renderList(msg.campaigns);
        else if (msg.type === 'campaign' && state.view === 'campaign') renderCampaign(msg.detail);
      });
      ws.addEventListener('close', () => {
        $('#live').textContent = 'offline';
        $('#live').className = 'live';
        setTimeout(() => this.connect(), this.retry);
        this.retry = Math.min(this.retry * 2, 10000);
      });
    },
    /** null: the list; an id: that campaign; undefined: nothing (upload, search). */
    watch(what) {
      this.want = what;
      if (what !== undefined && this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ watch: what }));
    },
  };

  // ---------- start ----------

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
    $('#search-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const q = $('#search-q').value.trim();
      if (q) location.hash = `#/search/${encodeURIComponent(q)}`;
    });
    $('#upload-form').addEventListener('submit', previewUpload);
    $('#u-start').addEventListener('click', startUpload);
    $('#u-file').addEventListener('change', () => {
      $('#u-start').disabled = true;
      $('#u-result').replaceChildren();
    });
    $('#u-skip').addEventListener('change', () => ($('#u-start').disabled = true));
    $('#outcomes-by').addEventListener('change', () => state.detail && renderCharts(state.detail));
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
    window.addEventListener('hashchange', route);
    setInterval(tickDurations, 1000);
    live.connect();
    route();
  }

  init();
})();
