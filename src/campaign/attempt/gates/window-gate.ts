import type { HoldBacks } from '../../pacing/hold-backs.js';
import { formatCallingWindow, isInsideWindow, msUntilWindowOpens } from '../../../policy/calling-window.js';
import { GO, type Gate } from '../gate.js';

/** The calling window (in the callee's zone when the row has one): outside it, wait until it opens (at least 1 s). */
export const windowGate =
  (deps: { holds: HoldBacks }): Gate =>
  (a) => {
    const w = a.settings.window;
    const tz = a.data.timezone;
    if (!w || isInsideWindow(w, new Date(a.now()), tz)) return GO;
    const wait = msUntilWindowOpens(w, new Date(a.now()), tz);
    const detail = `outside the calling window ${formatCallingWindow(w)}${tz ? ` (callee in ${tz})` : ''}`;
    deps.holds.note(a.campaignId, { reason: 'window', detail }, a.now());
    a.log.info({ waitMs: wait }, 'outside the calling window; waiting');
    return { kind: 'wait', ms: Math.max(wait, 1000), why: detail };
  };
