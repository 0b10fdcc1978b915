// Outcome and timeline charts. chart.js (210 KB, 61 KB compressed) is fetched only when a campaign page first
// draws a chart, so the list and the other pages load without it. Legends are ours (HTML, never cut, with counts);
// each chart has a table with the same data, and says so when there is nothing to draw.
import { $, emptyRow, h, keyedRows, pct, setAttr, setText } from './dom.js';
import { colorOf, DISPOSITIONS } from './colors.js';
import { dispBadge } from './results.js';
import { state } from './state.js';
import { fmt } from './time.js';

let loading;
const charts = {};

function chartJs() {
  if (window.Chart) return Promise.resolve(window.Chart);
  loading ??= new Promise((resolve, reject) => {
    const s = h('script', { src: '/vendor/chart.umd.js' });
    s.onload = () => resolve(window.Chart);
    s.onerror = () => ((loading = undefined), reject(new Error('chart.js did not load')));
    document.head.append(s);
  });
  return loading;
}

/** A different campaign: its charts start from nothing. */
export function resetCharts() {
  for (const k of Object.keys(charts)) {
    charts[k].destroy();
    delete charts[k];
  }
}

export function renderCharts() {
  const d = state.detail;
  if (!d) return;
  renderOutcomes(d);
  renderTimeline(d);
}

function renderOutcomes(d) {
  const byCause = $('#outcomes-by').value === 'cause';
  const rows = byCause
    ? d.causes.map((x) => ({ key: x.cause, label: x.cause, count: x.count }))
    : DISPOSITIONS.filter((k) => d.final[k] > 0).map((k) => ({ key: k, label: k, count: d.final[k], color: colorOf(k) }));
  const total = rows.reduce((n, r) => n + r.count, 0);
  const empty = total === 0;
  $('#outcomes-empty').hidden = !empty;
  setText($('#outcomes-empty'), byCause ? 'No calls have ended yet.' : 'No number has a final result yet.');
  $('#outcomes-doughnut').hidden = empty || byCause;
  // Causes are many and long: bars with their words and counts read better than a ring of colours.
  const legend = $('#outcomes-legend');
  setAttr(legend, 'class', byCause ? 'legend bars' : 'legend');
  keyedRows(
    legend,
    empty ? [] : rows,
    (r) => `${byCause ? 'c' : 'd'}:${r.key}`,
    (r) =>
      h(
        'tr',
        {},
        h('td', {}, byCause ? r.label : dispBadge(r.label)),
        h('td', { class: 'num' }),
        h('td', { class: 'num' }),
        h('td', { class: 'barcell' }, h('span', { class: 'hbar' })),
      ),
    (tr, r) => {
      setText(tr.children[1], r.count);
      setText(tr.children[2], pct(r.count / total));
      const bar = tr.children[3].firstChild;
      const w = `${Math.max(1, Math.round((r.count / rows[0].count) * 100))}%`;
      if (bar.style.width !== w) bar.style.width = w;
      if (r.color && bar.style.background !== r.color) bar.style.background = r.color;
    },
  );
  if (empty || byCause) return;
  const canvas = $('#chart-outcomes');
  setAttr(canvas, 'aria-label', `Final result of ${total} numbers: ${rows.map((r) => `${r.label} ${r.count}`).join(', ')}`);
  draw(
    'outcomes',
    canvas,
    () => ({
      type: 'doughnut',
      data: { labels: rows.map((r) => r.label), datasets: [{ data: rows.map((r) => r.count), backgroundColor: rows.map((r) => r.color), borderWidth: 1 }] },
      options: { animation: false, maintainAspectRatio: false, plugins: { legend: { display: false } } },
    }),
    (ch) => {
      ch.data.labels = rows.map((r) => r.label);
      ch.data.datasets[0].data = rows.map((r) => r.count);
      ch.data.datasets[0].backgroundColor = rows.map((r) => r.color);
    },
  );
}

function renderTimeline(d) {
  const step = d.measures.bucketS;
  // Zero buckets around the data: before the first call nothing happened, and after a finished campaign's last
  // call neither; a short campaign then still shows a rise and fall rather than one lonely point.
  const tl = d.timeline.length ? [{ t: d.timeline[0].t - step, attempts: 0, answered: 0 }, ...d.timeline] : [];
  if (tl.length && ['finished', 'cancelled'].includes(d.campaign.state)) tl.push({ t: tl[tl.length - 1].t + step, attempts: 0, answered: 0 });
  const empty = tl.length === 0;
  $('#timeline-empty').hidden = !empty;
  $('#timeline-box').hidden = empty;
  const calls = d.timeline.reduce((n, b) => n + b.attempts, 0);
  const answered = d.timeline.reduce((n, b) => n + b.answered, 0);
  setText($('#timeline-totals'), `${calls} calls ended, ${answered} answered`);
  const table = $('#timeline-table tbody');
  if (empty) emptyRow(table, 3, 'No calls have ended yet.');
  else
    keyedRows(
      table,
      d.timeline.slice(-60).reverse(),
      (b) => b.t,
      () => h('tr', {}, h('td', {}), h('td', { class: 'num' }), h('td', { class: 'num' })),
      (tr, b) => {
        setText(tr.children[0], fmt(b.t * 1000));
        setText(tr.children[1], b.attempts);
        setText(tr.children[2], b.answered);
      },
    );
  if (empty) return;
  const canvas = $('#chart-timeline');
  setAttr(canvas, 'aria-label', `Calls ended per ${step} seconds: ${calls} calls, ${answered} answered, from ${fmt(d.timeline[0].t * 1000)}`);
  const labels = tl.map((b) => fmt(b.t * 1000).slice(11, 19));
  const series = (k) => tl.map((b) => b[k]);
  draw(
    'timeline',
    canvas,
    () => ({
      type: 'line',
      data: {
        labels,
        datasets: [
          { label: 'Calls ended', data: series('attempts'), borderColor: '#37474f', backgroundColor: '#37474f', tension: 0.2 },
          { label: 'Answered', data: series('answered'), borderColor: colorOf('ANSWERED'), backgroundColor: colorOf('ANSWERED'), tension: 0.2 },
        ],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { labels: { boxWidth: 12 } } },
      },
    }),
    (ch) => {
      ch.data.labels = labels;
      ch.data.datasets[0].data = series('attempts');
      ch.data.datasets[1].data = series('answered');
    },
  );
}

function draw(key, canvas, create, update) {
  const id = state.campaignId;
  chartJs().then(
    (Chart) => {
      if (state.campaignId !== id || state.view !== 'campaign') return;
      const ch = charts[key];
      if (!ch) charts[key] = new Chart(canvas, create());
      else {
        update(ch);
        ch.update('none');
      }
    },
    () => undefined,
  );
}
