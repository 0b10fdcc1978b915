import { randomBytes } from 'node:crypto';
import { isAllocationFailure } from '../dialer/allocation-failure.js';
import { runCall } from '../dialer/call.js';
import type { CallDeps } from '../dialer/call-options.js';
import type { CallResult } from '../dialer/call-result.js';
import { check, type DoctorCheck } from './doctor-check.js';

/** `doctor --probe ENDPOINT`: one real call, so a wrong endpoint, context or extension shows up before a campaign. */
export interface ProbeOptions {
  endpoint: string;
  /** @defaultValue '' */
  callerId?: string;
  /** Where the answered call is sent, as a campaign would. @defaultValue 'default' */
  context?: string;
  /** @defaultValue 's' */
  extension?: string;
  /** @defaultValue 1 */
  priority?: number;
  /** Seconds to ring. @defaultValue 15 */
  timeoutS?: number;
  /** Seconds of talk before the probe hangs up: a person who answers hears a short call. @defaultValue 2 */
  talkS?: number;
}

/** Places the probe call with the engine campaigns use, and says what became of it and what to do. */
export async function probeCheck(deps: Pick<CallDeps, 'ari' | 'events' | 'log'>, p: ProbeOptions): Promise<DoctorCheck> {
  const where = `${p.context ?? 'default'},${p.extension ?? 's'},${p.priority ?? 1}`;
  const timeoutS = p.timeoutS ?? 15;
  const r = await runCall(deps, {
    channelId: `doctor-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`,
    endpoint: p.endpoint,
    callerId: p.callerId ?? '',
    context: p.context ?? 'default',
    extension: p.extension ?? 's',
    priority: p.priority ?? 1,
    timeoutS,
    maxCallS: p.talkS ?? 2,
    graceMs: 3000,
    hardCapS: timeoutS + 60,
    adoptExisting: false,
  });
  const title = `Test call to ${p.endpoint}`;
  const cause = `${r.cause_txt || 'cause'} (${r.cause})`;
  if (r.answered && r.continued !== false) {
    return check('ari.probe', title, 'pass', `answered after ${r.ring_s.toFixed(1)} s and sent on to ${where}; ended ${cause}`);
  }
  if (r.answered) {
    return check(
      'ari.probe',
      title,
      'fail',
      `answered, but continue to ${where} failed (${r.message})`,
      `check that ${where} exists in the dialplan ("dialplan show ${p.extension ?? 's'}@${p.context ?? 'default'}")`,
    );
  }
  return check('ari.probe', title, 'fail', `${r.disposition}: ${r.status === 'error' ? r.message : cause}`, hint(r, timeoutS));
}

function hint(r: CallResult, timeoutS: number): string {
  if (r.status === 'error') {
    if (r.http_status === 400 || isAllocationFailure(r)) {
      return 'Asterisk could not create that channel: check the technology and name ("pjsip show endpoints", "sip show peers") and that its module is loaded';
    }
    if (r.http_status === 403) return 'the ARI user is read_only in ari.conf: a dialer needs read_only = no';
    return "see the message above and Asterisk's log";
  }
  switch (r.disposition) {
    case 'NO_ANSWER':
      return `nobody answered within ${timeoutS} s: try an endpoint that answers (e.g. Local/s@a-context-that-answers) or a longer --probe-timeout`;
    case 'BUSY':
      return 'the far end is busy: the route works; probe a line that is free to see the whole call';
    case 'CONGESTION':
      return 'no route or the trunk is down: check the endpoint, the trunk\'s registration ("pjsip show registrations") and the dialed number\'s format';
    case 'REJECTED':
    case 'FAILED':
      return "the far end or the trunk refused the call: check the number format, the caller id the trunk accepts, and the trunk's log";
    default:
      return "see Asterisk's log for this channel";
  }
}
