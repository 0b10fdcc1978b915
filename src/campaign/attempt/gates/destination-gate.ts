import type { DestinationRules } from '../../../policy/destinations.js';
import { GO, type Gate } from '../gate.js';

/**
 * A number outside `allowedDestinations` or inside `blockedDestinations` is never dialed, even when it was imported
 * before the list changed (or by a process without the list): the number ends, with the rule in its result.
 */
export const destinationGate =
  (deps: { destinations?: DestinationRules }): Gate =>
  (a) => {
    const problem = deps.destinations?.problem(a.data.number);
    if (problem === undefined) return GO;
    a.log.warn({ number: a.data.number, rule: problem }, 'destination refused; not dialed');
    return { kind: 'end', as: 'cancelled', message: `not dialed: ${problem}` };
  };
