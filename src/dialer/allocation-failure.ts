import type { CallResult } from './call-result.js';

/**
 * Whether Asterisk refused to create the channel: no driver of that technology is loaded, or the driver has no such
 * endpoint. Asterisk answers an originate with 500 `{"error":"Allocation failed"}` (test/sim/traces/invalid_endpoint.json).
 */
export function isAllocationFailure(r: Pick<CallResult, 'status' | 'message' | 'http_status'>): boolean {
  return r.status === 'error' && r.http_status === 500 && /allocation failed/i.test(r.message);
}

/**
 * The result with a message a person can act on; Asterisk's own words stay in it. Other results pass unchanged.
 * A secret written into the endpoint (IAX2's `user:secret@peer`) is masked.
 */
export function explainAllocationFailure(r: CallResult): CallResult {
  if (!isAllocationFailure(r)) return r;
  const endpoint = maskEndpointSecret(r.endpoint);
  const tech = endpoint.slice(0, Math.max(0, endpoint.indexOf('/'))) || endpoint;
  return {
    ...r,
    message:
      `Asterisk could not allocate a channel for ${endpoint} (Asterisk said: ${r.message}): check that the ${tech} ` +
      `channel driver is loaded ("core show channeltypes") and that the endpoint exists (e.g. "pjsip show endpoints")`,
  };
}

/** `IAX2/user:secret@peer/123` → `IAX2/user:***@peer/123`; any other endpoint is returned as it is. */
export function maskEndpointSecret(endpoint: string): string {
  return endpoint.replace(/^([^/]+\/[^/:@]+):[^/@]*@/, '$1:***@');
}
