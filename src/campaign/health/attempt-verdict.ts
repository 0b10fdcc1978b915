import type { CallResult } from '../../dialer/call-result.js';

/**
 * Which side of the line an attempt's end speaks about:
 * - `asterisk-down`: Asterisk or its ARI is not there (no connection, HTML 404/503 while ARI is not registered,
 *   503 "Asterisk not booted", 401) or it cut the call going away. The worker waits for Asterisk.
 * - `ours`: Asterisk is there but our calls fail before any callee: an originate refused ("500 Allocation failed":
 *   a dead trunk, a typo in the endpoint, or a shutdown starting), a request Asterisk rejected, or a cause that means
 *   the network or the trunk (see {@link NETWORK_CAUSES}). A run of these opens the campaign's breaker.
 * - `callee`: a person or their phone answered for the call (answered, busy, no answer, rejected...): all is well.
 * - `neutral`: says nothing either way (cancelled, unknown).
 */
export type VerdictKind = 'asterisk-down' | 'ours' | 'callee' | 'neutral';

export interface AttemptVerdict {
  kind: VerdictKind;
  /** For `ours` and `asterisk-down`: what went wrong, in an operator's words ("500 Allocation failed"). */
  reason?: string;
  /** An `ours` verdict from a Q.850 cause (judged against the campaign's own mix), not from a refused request. */
  networkCause?: boolean;
}

/**
 * Q.850 causes that mean the network or the trunk, not the callee: 20 subscriber absent, 27 destination out of order,
 * 34 no circuit available, 38 network out of order, 41 temporary failure, 42 switching equipment congestion,
 * 47 resource unavailable, 66 channel type not implemented, 88 incompatible destination, 102 recovery on timer expiry.
 */
export const NETWORK_CAUSES: ReadonlySet<number> = new Set([20, 27, 34, 38, 41, 42, 47, 66, 88, 102]);

/** Causes that are the callee's answer: normal clearing, busy, no response, no answer, rejected, normal unspecified. */
export const CALLEE_CAUSES: ReadonlySet<number> = new Set([16, 17, 18, 19, 21, 31]);

/** Reads one attempt's result for the circuit breaker. */
export function verdictOf(r: CallResult): AttemptVerdict {
  if (r.disposition === 'ANSWERED' || r.answered) return { kind: 'callee' };
  if (r.disposition === 'INTERRUPTED') return { kind: 'asterisk-down', reason: r.reason ?? r.message };
  if (r.disposition === 'CANCELLED' || r.disposition === 'UNKNOWN') return { kind: 'neutral' };
  if (r.status === 'error') return errorVerdict(r);
  if (NETWORK_CAUSES.has(r.cause)) return { kind: 'ours', reason: `${r.cause_txt} (${r.cause})`, networkCause: true };
  if (CALLEE_CAUSES.has(r.cause)) return { kind: 'callee' };
  return { kind: 'neutral' };
}

function errorVerdict(r: CallResult): AttemptVerdict {
  const reason = r.http_status !== undefined ? `${r.http_status} ${r.message}` : r.message;
  switch (r.error_code) {
    case 'ARI_UNREACHABLE':
    case 'ARI_NOT_ARI':
    case 'ARI_AUTH':
      return { kind: 'asterisk-down', reason };
    case 'ARI_HTTP':
      // "Asterisk not booted" (503) and any 5xx but 500 mean ARI itself is unwell; 500 "Allocation failed" is also
      // what a dead trunk or a mistyped endpoint gets, so it counts against the campaign until a probe tells them apart.
      if (r.http_status !== undefined && r.http_status >= 501) return { kind: 'asterisk-down', reason };
      return { kind: 'ours', reason };
    default:
      // No answer in time, or a call we could not follow: our side of the line.
      return { kind: 'ours', reason };
  }
}
