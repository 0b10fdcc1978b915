import type { CallResult } from '../call-result.js';
import type { CallState } from '../transitions.js';
import { amdRoute } from '../amd/amd-verdict.js';

/** How the opt-out went for the result (the suppression list is not the dialer's to reach). */
export interface OptOutNote {
  stored?: boolean;
  why?: string;
}

const secs = (ms: number): number => Math.round(Math.max(0, ms)) / 1000;

/** AMD sent the call the machine's way: the human message was never meant for it. */
const machine = (s: CallState): boolean => s.amd !== undefined && s.amdVerdict !== undefined && amdRoute(s.amdVerdict.status, s.amd) !== 'destination';

/**
 * What the result says of the time after the answer: keys always; captured variables when asked for; the message's
 * flow, what the callee heard and the opt-out when a message ran; the machine message's length when one was left.
 */
export function afterAnswerFields(s: CallState, optOut: OptOutNote): Partial<CallResult> {
  const out: Partial<CallResult> = {
    keys: s.keys,
    first_key_s: s.firstKeyAt !== undefined && s.answeredAt !== undefined ? secs(s.firstKeyAt - s.answeredAt) : null,
  };
  if (s.capture) out.captured = { ...s.captured };
  const m = s.msg;
  if (s.message && s.message.media.length > 0 && s.up) {
    if (m && m.stage !== 'machine_wait' && m.stage !== 'machine_message' && m.machineAt === undefined) {
      out.flow = m.flow ?? (m.hungUp ? 'hung_up_in_message' : 'no_press');
      out.heard_s = secs(m.heardMs);
      out.message_done = m.done;
      out.opted_out = m.optedOut;
      if (m.optedOut) {
        out.optout_stored = optOut.stored === true;
        if (optOut.why) out.optout_note = optOut.why;
      }
      if (m.reason) out.message_reason = m.reason;
    } else if (!m && !machine(s)) {
      // Answered by a person (or AMD could not tell), but the message never started: the callee left first.
      out.flow = 'not_played';
      out.heard_s = 0;
      out.message_done = false;
      out.opted_out = false;
    }
  }
  if (m?.machineAt !== undefined) out.machine_message_s = secs(m.machineMs ?? 0);
  return out;
}
