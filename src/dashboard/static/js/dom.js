// Small DOM and fetch helpers. Everything from the server goes on the page as text (never innerHTML), so a number
// or a campaign name cannot inject markup.

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

export const pct = (x) => `${Math.floor(x * 1000) / 10} %`;
export const secs = (s) =>
  s >= 3600 ? `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m` : s >= 60 ? `${Math.floor(s / 60)}m ${Math.floor(s % 60)}s` : `${Math.floor(s)}s`;
export const time = (iso) => (iso ? new Date(iso).toLocaleTimeString() : '');

let flashTimer;
/** Errors stay until the next view; confirmations fade after a few seconds. */
export function flash(message, kind) {
  const el = $('#flash');
  el.textContent = message;
  el.className = `flash ${kind || 'error'}`;
  el.hidden = !message;
  clearTimeout(flashTimer);
  if (message && kind === 'ok') flashTimer = setTimeout(() => (el.hidden = true), 4000);
}

/** JSON API call with the login cookie; a 401 sends the browser to the login form. Errors carry the body. */
export async function api(path, init) {
  // X-Ari-Dialer: the server takes API writes only with it (or JSON): a cross-site form or no-cors fetch cannot send it.
  const res = await fetch(path, { credentials: 'same-origin', ...init, headers: { Accept: 'application/json', 'X-Ari-Dialer': '1', ...(init && init.headers) } });
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
