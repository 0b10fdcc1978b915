// Pause / Resume / Cancel / Delete: real buttons named after the campaign ("Pause spring sale"), made once per
// campaign shown and then only shown or hidden, so a live update never takes a button away under a click or focus.
// Viewers get none (the server refuses them anyway).
import { api, flash, h, setAttr, setText } from './dom.js';
import { state } from './state.js';

const VERBS = [
  ['pause', 'Pause', (c) => c.state === 'running' || c.state === 'importing'],
  ['resume', 'Resume', (c) => c.state === 'paused'],
  ['cancel', 'Cancel', (c) => c.state === 'running' || c.state === 'importing' || c.state === 'paused'],
  ['delete', 'Delete', (c) => c.state === 'finished' || c.state === 'cancelled'],
];

/** Fills `box` with the buttons once; returns `update(c)` for every later snapshot of the same campaign. */
export function actionBar(box) {
  if (state.role !== 'operator') {
    box.replaceChildren();
    return () => undefined;
  }
  let current;
  const buttons = VERBS.map(([verb, label, when]) => {
    const b = h('button', { type: 'button', class: `act ${verb}`, hidden: true }, label);
    b.addEventListener('click', () => current && (verb === 'delete' ? remove(current) : act(current, verb)));
    return { b, label, when };
  });
  box.replaceChildren(...buttons.map((x) => x.b));
  return (c) => {
    current = c;
    for (const { b, label, when } of buttons) {
      setAttr(b, 'aria-label', `${label} ${c.name}`);
      const show = when(c);
      if (b.hidden === show) {
        // Hiding the focused button would drop focus to <body>: hand it to the button that takes its place.
        const had = document.activeElement === b;
        b.hidden = !show;
        if (had && !show) queueMicrotask(() => box.querySelector('button:not([hidden])')?.focus());
      }
      setText(b, label);
    }
  };
}

/** Deleting cannot be undone: the operator types the campaign's id, and the server checks it again (?confirm=). */
async function remove(c) {
  const typed = prompt(
    `Delete "${c.name}" for good? Its results, attempts, counters and queues leave Redis (download its report first if you need it).\n\nType the campaign id to confirm: ${c.id}`,
  );
  if (typed === null) return;
  if (typed.trim() !== c.id) {
    flash(`${c.name}: not deleted (the id typed did not match ${c.id})`);
    return;
  }
  try {
    await api(`/api/campaigns/${encodeURIComponent(c.id)}?confirm=${encodeURIComponent(c.id)}`, { method: 'DELETE', signal: null });
    flash(`${c.name}: deleted`, 'ok');
    window.dispatchEvent(new CustomEvent('dialer:deleted', { detail: { id: c.id } }));
  } catch (e) {
    flash(`Could not delete: ${e.message}`);
  }
}

async function act(c, verb) {
  if (verb === 'cancel' && !confirm(`Cancel ${c.name}? Numbers not yet dialed become CANCELLED.`)) return;
  try {
    const { campaign } = await api(`/api/campaigns/${encodeURIComponent(c.id)}/${verb}`, { method: 'POST', signal: null });
    flash(`${campaign.name}: ${campaign.phase}`, 'ok');
    window.dispatchEvent(new CustomEvent('dialer:changed', { detail: { campaign } }));
  } catch (e) {
    flash(`Could not ${verb}: ${e.message}`);
  }
}
