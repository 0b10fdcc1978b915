// The upload form: check the file first (errors listed with their line numbers), then start.
import { $, api, flash, h } from './dom.js';

function uploadBody() {
  const f = $('#upload-form');
  const file = $('#u-file').files[0];
  if (!file) throw new Error('Pick a CSV file first.');
  const v = (name) => f.elements[name].value.trim();
  const settings = { endpoint: v('endpoint') };
  for (const k of ['callerId', 'context', 'extension', 'retry', 'window']) if (v(k)) settings[k] = v(k);
  for (const k of ['cps', 'maxConcurrent', 'timeoutS', 'maxChannelVars']) if (v(k)) settings[k] = Number(v(k));
  if (f.elements.amd.checked) {
    const amd = { notSureAs: v('notSureAs') };
    if (v('onMachine')) amd.onMachine = v('onMachine');
    for (const el of f.querySelectorAll('input[name^="amd-"]')) if (el.value.trim()) amd[el.name.slice(4)] = Number(el.value);
    settings.amd = amd;
  }
  if (v('callerIdPool')) settings.callerIdPool = v('callerIdPool').split(/[\s,;]+/).filter(Boolean);
  // datetime-local has no zone: it is the browser's own, sent as UTC so the server never guesses.
  for (const k of ['startAt', 'endAt']) if (v(k)) settings[k] = new Date(v(k)).toISOString();
  const options = { settings, skipInvalid: f.elements.skipInvalid.checked };
  if (v('name')) options.name = v('name');
  const body = new FormData();
  body.append('options', JSON.stringify(options));
  body.append('file', file, file.name);
  return body;
}

function showResult(kind, title, counts, errors) {
  const parts = [h('p', { class: `summary ${kind}`, role: kind === 'error' ? 'alert' : undefined }, title)];
  if (counts) parts.push(h('p', {}, `${counts.rows} rows: ${counts.accepted} to dial, ${counts.rejected} rejected, ${counts.duplicates} duplicates, ${counts.suppressed} suppressed.`));
  if (errors && errors.length) {
    parts.push(h('ul', { class: 'row-errors', 'aria-label': 'Rows with errors' }, errors.map((e) => h('li', {}, h('strong', {}, `Line ${e.line}:`), ` ${e.reason}`))));
    if (counts && counts.rejected > errors.length) parts.push(h('p', {}, `… and ${counts.rejected - errors.length} more.`));
  }
  $('#u-result').replaceChildren(...parts);
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
    const c = await api('/api/campaigns?preview=1', { method: 'POST', body });
    const ok = c.rejected === 0 || $('#u-skip').checked;
    const title = c.rejected
      ? `${c.rejected} row(s) have errors${ok ? ' and will be skipped' : ': fix them, or tick "Accept only the good rows"'}.`
      : 'The file is fine.';
    showResult(c.rejected ? 'error' : 'ok', title, c, c.errors);
    $('#u-start').disabled = !(ok && c.accepted > 0);
  } catch (e) {
    // A file unusable as a whole (binary, no number column...) names its line when it has one.
    const line = e.body && e.body.error && e.body.error.line;
    showResult('error', line ? `Line ${line}: ${e.message}` : e.message);
  }
}

async function start() {
  $('#u-start').disabled = true;
  showResult('busy', 'Starting…');
  try {
    const r = await api('/api/campaigns', { method: 'POST', body: uploadBody() });
    $('#upload-form').reset();
    $('#u-result').replaceChildren();
    location.hash = `#/c/${r.id}`;
    flash(`Campaign started: ${r.accepted} numbers to dial.`, 'ok');
  } catch (e) {
    const d = e.body && e.body.error;
    showResult('error', e.message, d && d.rows !== undefined ? d : undefined, d && d.errors);
  }
}

export function bindUpload() {
  $('#upload-form').addEventListener('submit', preview);
  $('#u-start').addEventListener('click', start);
  // Anything changed after a check needs a new check before starting.
  $('#upload-form').addEventListener('input', (ev) => {
    if (ev.target.id !== 'u-start') $('#u-start').disabled = true;
  });
  $('#u-file').addEventListener('change', () => $('#u-result').replaceChildren());
}
