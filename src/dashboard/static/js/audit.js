// The campaign's own actions on record (who paused it, from where, when): operators only, like GET /api/audit.
import { $, api, emptyRow, h, isAbort } from './dom.js';
import { state } from './state.js';
import { timeEl } from './time.js';

const OUTCOME = { ok: 'done', refused: 'refused', failed: 'failed' };

export async function loadAudit(id) {
  const section = $('#c-audit');
  section.hidden = state.role !== 'operator';
  if (section.hidden) return;
  const tbody = $('#audit tbody');
  try {
    const { entries } = await api(`/api/audit?campaign=${encodeURIComponent(id)}&limit=20`);
    if (state.campaignId !== id) return;
    if (!entries.length) return emptyRow(tbody, 5, 'No actions on record yet.');
    tbody.replaceChildren(
      ...entries.map((e) =>
        h(
          'tr',
          {},
          h('td', { class: 'nowrap' }, timeEl(e.at)),
          h('td', {}, e.who, h('span', { class: 'sub' }, ` (${e.via})`)),
          h('td', { class: 'sub' }, e.from),
          h('td', {}, e.action.replace(/^campaign\./, '')),
          h('td', {}, OUTCOME[e.outcome] ?? e.outcome),
        ),
      ),
    );
  } catch (e) {
    if (!isAbort(e)) emptyRow(tbody, 5, `Could not load the record: ${e.message}`);
  }
}
