// Small DOM and fetch helpers. Everything from the server goes on the page as text (never innerHTML), so a number
// or a campaign name cannot inject markup. Live updates go through setText/keyedRows: they change what differs and
// never replace an element a person may be pressing, typing in or focused on.

export const $ = (sel) => document.querySelector(sel);

/** Creates an element; strings and numbers become text nodes, `on*` attributes become listeners. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== undefined && c !== null) el.append(c instanceof Node ? c : String(c));
  return el;
}

/** Sets an element's text only when it differs (no DOM churn, no screen-reader chatter). */
export function setText(el, text) {
  const t = String(text ?? '');
  if (el && el.textContent !== t) el.textContent = t;
}

export function setAttr(el, name, value) {
  if (value === undefined || value === null || value === false) {
    if (el.hasAttribute(name)) el.removeAttribute(name);
  } else if (el.getAttribute(name) !== String(value)) el.setAttribute(name, String(value));
}

/**
 * Brings a tbody in line with `items`: rows are keyed (`data-key`), created once with `create(item)`, then only
 * patched with `update(tr, item)`; rows whose item is gone are removed, order follows `items`.
 */
export function keyedRows(tbody, items, key, create, update) {
  const old = new Map();
  for (const tr of tbody.querySelectorAll(':scope > tr[data-key]')) old.set(tr.dataset.key, tr);
  for (const tr of tbody.querySelectorAll(':scope > tr:not([data-key])')) tr.remove();
  let prev = null;
  for (const item of items) {
    const k = String(key(item));
    let tr = old.get(k);
    if (tr) old.delete(k);
    else {
      tr = create(item);
      tr.dataset.key = k;
    }
    update(tr, item);
    const want = prev ? prev.nextElementSibling : tbody.firstElementChild;
    if (want !== tr) tbody.insertBefore(tr, want);
    prev = tr;
  }
  for (const tr of old.values()) tr.remove();
}

/**
 * Puts `text` in `el` with line-break opportunities after / @ ? & , . (a <wbr> each): an endpoint or URL wraps at
 * its parts ("PJSIP/ {number}@ trunk") instead of mid-word, and copies as it was typed.
 */
export function setBreakable(el, text) {
  const t = String(text ?? '');
  if (el.dataset.text === t) return;
  el.dataset.text = t;
  el.replaceChildren(...t.split(/(?<=[/@?&,.])/).flatMap((part, i) => (i ? [h('wbr'), part] : [part])));
}

/**
 * Table wrappers that scroll sideways (on a small screen) take keyboard focus, so they can be scrolled without a
 * mouse (WCAG 2.1.1; axe's scrollable-region-focusable); wrappers that fit take none, and add no tab stop.
 */
export function watchScrollers() {
  const check = (el) => setAttr(el, 'tabindex', el.scrollWidth > el.clientWidth + 1 ? '0' : undefined);
  const ro = new ResizeObserver((entries) => {
    for (const e of entries) check(e.target.classList.contains('scroll') ? e.target : e.target.parentElement);
  });
  for (const el of document.querySelectorAll('.scroll')) {
    ro.observe(el);
    if (el.firstElementChild) ro.observe(el.firstElementChild);
  }
}

/** One row saying there is nothing to show (replaces the rows). */
export function emptyRow(tbody, colspan, text) {
  tbody.replaceChildren(h('tr', {}, h('td', { colspan, class: 'empty' }, text)));
}

export const pct = (x) => `${(Math.round(x * 1000) / 10).toFixed(1)} %`;
export const secs = (s) =>
  s >= 86400
    ? `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`
    : s >= 3600
      ? `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`
      : s >= 60
        ? `${Math.floor(s / 60)}m ${Math.floor(s % 60)}s`
        : `${Math.floor(s)}s`;
export const mb = (bytes) => `${(bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0).replace(/\.0$/, '')} MB`;

let flashTimer;
/** Errors stay until the next view (role=alert); confirmations are polite and fade after a few seconds. */
export function flash(message, kind) {
  const el = $('#flash');
  clearTimeout(flashTimer);
  setText(el, message);
  el.className = `flash ${kind || 'error'}`;
  setAttr(el, 'role', kind === 'ok' ? 'status' : 'alert');
  el.hidden = !message;
  if (message && kind === 'ok') flashTimer = setTimeout(() => (el.hidden = true), 6000);
}

/** Says a change of state once to screen readers (the polite region never repeats the same words). */
export function announce(text) {
  setText($('#announce'), text);
}

/** What the page is fetching for the view on screen; leaving the view aborts it (see app.js). */
let viewAbort = new AbortController();
export function newViewSignal() {
  viewAbort.abort();
  viewAbort = new AbortController();
  return viewAbort.signal;
}
export const viewSignal = () => viewAbort.signal;

/** JSON API call with the login cookie; a 401 sends the browser to the login form. Errors carry the body. */
export async function api(path, init) {
  // X-Ari-Dialer: the server takes API writes only with it (or JSON): a cross-site form or no-cors fetch cannot send it.
  const res = await fetch(path, {
    credentials: 'same-origin',
    signal: viewSignal(),
    ...init,
    headers: { Accept: 'application/json', 'X-Ari-Dialer': '1', ...(init && init.headers) },
  });
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

export const isAbort = (e) => e && e.name === 'AbortError';
