import { GO, type Gate } from '../gate.js';

/**
 * A run that died may have dialed: its in-flight mark without a stored result says so (read when the job started,
 * with the result, in one round trip). This run then follows that channel (adopts it, or finds it gone) instead of
 * dialing the number twice; the gates that only delay a dial let it by.
 */
export const reRunGate: Gate = (a) => {
  a.previous = a.markFound;
  if (a.previous)
    a.log.warn({ previousWorker: a.previous.worker, since: a.previous.since }, 'attempt re-run after its worker stopped: following it, not dialing again');
  return GO;
};
