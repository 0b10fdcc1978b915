import { GO, type Gate } from '../gate.js';

/** A cancelled campaign dials nothing more: the number ends CANCELLED. */
export const cancelledGate: Gate = (a) => (a.state === 'cancelled' ? { kind: 'end', as: 'cancelled' } : GO);
