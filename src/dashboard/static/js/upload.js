// The upload form: check the file first (how each column is used, the first rows as they will be dialed, errors by
// line), then start. When no column is named number/phone, the check offers the file's columns to pick from.
import { $, api, h, mb } from './dom.js';
import { state } from './state.js';
import { fromInput } from './time.js';

const ROLE_TEXT = {
  number: 'number to dial',
  callerid: 'caller id',
  context: 'dialplan context',
  extension: 'dialplan extension',
  priority: 'dialplan priority',
  timeout: 'ring timeout (s)',
  timezone: "callee's time zone (calling window)",
  message: 'its own message (media URIs)',
  lead_priority: 'order in the list',
};

function uploadBody() {
  const f = $('#upload-form');
  const file = $('#u-file').files[0];
  if (!file) throw new Error('Pick a CSV file first.');
  if (state.maxUploadBytes && file.size > state.maxUploadBytes) {
    throw new Error(
      `The file is ${mb(file.size)}; the largest file this dashboard accepts is ${mb(state.maxUploadBytes)}. Split it, or ask the administrator to raise the limit.`,
    );
  }
  const v = (name) => f.elements[name].value.trim();
  const settings = { endpoint: v('endpoint') };
  for (const k of ['callerId', 'context', 'extension', 'retry', 'window', 'numberColumn']) if (v(k)) settings[k] = v(k);
  for (const k of ['cps', 'maxConcurrent', 'timeoutS', 'maxChannelVars']) if (v(k)) settings[k] = Number(v(k));
  if (f.elements.amd.checked) {
    const amd = { notSureAs: v('notSureAs') };
    if (v('onMachine')) amd.onMachine = v('onMachine');
    for (const el of f.querySelectorAll('input[name^="amd-"]')) if (el.value.trim()) amd[el.name.slice(4)] = Number(el.value);
    settings.amd = amd;
  }
  // The server checks these like the CLI flags and names the bad one (message: --press: ...).
  if (v('message')) settings.message = { media: v('message'), ...(v('press') ? { press: v('press').split(/\s+/).filter(Boolean) } : {}) };
  else if (v('press')) settings.message = { press: v('press').split(/\s+/).filter(Boolean) };
  if (v('capture')) settings.capture = v('capture');
  if (v('callerIdPool'))
    settings.callerIdPool = v('callerIdPool')
      .split(/[\s,;]+/)
      .filter(Boolean);
  // datetime-local has no zone: it is read in the zone the page shows (the header's switch), sent as UTC.
  for (const k of ['startAt', 'endAt']) if (v(k)) settings[k] = fromInput(v(k));
  // Off by default: the server then refuses a file with one of these columns, naming it and this box.
  if (f.elements.allowRowOverrides.checked) settings.allowRowOverrides = true;
  const options = { settings, skipInvalid: f.elements.skipInvalid.checked };
  if (v('name')) options.name = v('name');
  const body = new FormData();
  body.append('options', JSON.stringify(options));
  body.append('file', file, file.name);
  return body;
}

function showResult(kind, title, counts, errors) {
  const parts = [h('p', { class: `summary ${kind}`, role: kind === 'error' ? 'alert' : undefined }, title)];
  if (counts)
    parts.push(
      h(
        'p',
        {},
        `${counts.rows} rows: ${counts.accepted} to dial, ${counts.rejected} rejected, ${counts.duplicates} duplicates, ${counts.suppressed} suppressed.`,
      ),
    );
  if (errors && errors.length) {
    parts.push(
      h(
        'ul',
        { class: 'row-errors', 'aria-label': 'Rows with errors' },
        errors.map((e) => h('li', {}, h('strong', {}, `Line ${e.line}:`), ` ${e.reason}`)),
      ),
    );
    if (counts && counts.rejected > errors.length) parts.push(h('p', {}, `… and ${counts.rejected - errors.length} more.`));
  }
  $('#u-result').replaceChildren(...parts);
}

/** The number-column choice lists the file's own columns once they are known. */
function offerColumns(header, chosen) {
  const sel = $('#u-number-col');
  sel.replaceChildren(h('option', { value: '' }, 'number or phone (automatic)'), ...header.map((name) => h('option', { value: name }, name)));
  sel.value = chosen && header.includes(chosen) ? chosen : '';
}

function showPreview(c) {
  const box = $('#u-peek');
  box.hidden = !c.columns;
  if (!c.columns) return;
  offerColumns(
    c.columns.map((x) => x.name),
    $('#u-number-col').value || c.columns.find((x) => x.role === 'number')?.name,
  );
  $('#u-columns tbody').replaceChildren(
    ...c.columns.map((col) =>
      h(
        'tr',
        {},
        h('th', { scope: 'row' }, col.name),
        h(
          'td',
          {},
          col.role === 'variable'
            ? `channel variable ${col.variable}${col.placeholder ? ' (fills {' + col.variable + '} in the endpoint)' : ''}`
            : ROLE_TEXT[col.role] || col.role,
        ),
      ),
    ),
  );
  const vars = c.columns.filter((x) => x.role === 'variable').map((x) => x.variable);
  $('#u-sample thead').replaceChildren(
    h(
      'tr',
      {},
      h('th', { scope: 'col', class: 'num' }, 'Line'),
      h('th', { scope: 'col' }, 'Number'),
      h('th', { scope: 'col' }, 'Caller id'),
      ...vars.map((v) => h('th', { scope: 'col' }, v)),
    ),
  );
  $('#u-sample tbody').replaceChildren(
    ...c.sample.map((r) =>
      h(
        'tr',
        {},
        h('td', { class: 'num' }, r.line),
        r.error
          ? h('td', { colspan: 2 + vars.length, class: 'bad' }, r.error)
          : [h('td', { class: 'nowrap' }, r.number), h('td', {}, r.callerid || ''), ...vars.map((v) => h('td', {}, r.vars?.[v] ?? ''))],
      ),
    ),
  );
}

async function preview(ev) {
  ev.preventDefault();
  $('#u-start').disabled = true;
  let body;
  try {
    body = uploadBody();
  } catch (e) {
    showResult('error', e.message);
    return;
  }
  showResult('busy', 'Checking…');
  try {
    const c = await api('/api/campaigns?preview=1', { method: 'POST', body, signal: null });
    const ok = c.rejected === 0 || $('#u-skip').checked;
    const title = c.rejected
      ? `${c.rejected} row(s) have errors${ok ? ' and will be skipped' : ': fix them, or tick "Accept only the good rows"'}.`
      : 'The file is fine.';
    showResult(c.rejected ? 'error' : 'ok', title, c, c.errors);
    showPreview(c);
    $('#u-start').disabled = !(ok && c.accepted > 0);
  } catch (e) {
    const err = e.body && e.body.error;
    $('#u-peek').hidden = true;
    // No number column: offer the file's columns to pick from.
    if (err && err.header) {
      offerColumns(err.header, '');
      showResult('error', `${e.message}. Pick the number column under "Number column", then check again.`);
      $('#u-number-col').focus();
      return;
    }
    // A file unusable as a whole names its line when it has one (once: the message may already say it).
    const line = err && err.line;
    showResult('error', line && !/^line \d+/i.test(e.message) ? `Line ${line}: ${e.message}` : e.message);
  }
}

async function start(carry) {
  $('#u-start').disabled = true;
  showResult('busy', 'Starting…');
  try {
    const r = await api('/api/campaigns', { method: 'POST', body: uploadBody(), signal: null });
    $('#upload-form').reset();
    $('#u-result').replaceChildren();
    $('#u-peek').hidden = true;
    carry(`Campaign started: ${r.accepted} numbers to dial.`);
    location.hash = `#/c/${r.id}`;
  } catch (e) {
    const d = e.body && e.body.error;
    showResult('error', e.message, d && d.rows !== undefined ? d : undefined, d && d.errors);
  }
}

export function bindUpload(carry) {
  $('#upload-form').addEventListener('submit', preview);
  $('#u-start').addEventListener('click', () => start(carry));
  // Anything changed after a check needs a new check before starting.
  $('#upload-form').addEventListener('input', (ev) => {
    if (ev.target.id !== 'u-start') $('#u-start').disabled = true;
  });
  $('#u-file').addEventListener('change', () => {
    $('#u-result').replaceChildren();
    $('#u-peek').hidden = true;
    offerColumns([], '');
  });
}
