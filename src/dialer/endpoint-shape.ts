import { BadArgumentError } from '../errors.js';

/**
 * Whether an endpoint has the shape Asterisk can route, `TECH/resource`, and nothing more: which channel drivers exist
 * is Asterisk's to say (modules differ per install: AudioSocket, MulticastRTP, chan_dongle's Dongle, ...). An
 * endpoint with a driver that is not loaded is refused by Asterisk at originate (500 "Allocation failed").
 *
 * - the technology: letters, digits, `_` and `-` (Asterisk's driver names; a space or a brace there is a typo);
 * - one slash;
 * - a non-empty resource with no whitespace or control characters (they would split or hide part of a dial string).
 *
 * Returns what is wrong, or undefined when the shape is fine. Templates pass too: `{number}` is a resource character.
 */
export function endpointShapeProblem(endpoint: string): string | undefined {
  const slash = endpoint.indexOf('/');
  if (slash <= 0 || slash === endpoint.length - 1) {
    return `must look like TECH/resource (e.g. PJSIP/1001 or SIP/trunk/5551234), got ${JSON.stringify(endpoint)}`;
  }
  const tech = endpoint.slice(0, slash);
  if (!TECHNOLOGY_NAME.test(tech)) {
    return `the channel technology ${JSON.stringify(tech)} may hold only letters, digits, _ and - (e.g. PJSIP, AudioSocket), got ${JSON.stringify(endpoint)}`;
  }
  if (UNSAFE_IN_RESOURCE.test(endpoint.slice(slash + 1))) {
    return `the resource after "${tech}/" must not contain whitespace or control characters, got ${JSON.stringify(endpoint)}`;
  }
  return undefined;
}

/** {@link endpointShapeProblem} as a check: returns the endpoint, or throws a BadArgumentError naming `argument`. */
export function checkEndpointShape(argument: string, endpoint: string): string {
  const problem = endpointShapeProblem(endpoint);
  if (problem !== undefined) throw new BadArgumentError(argument, problem);
  return endpoint;
}

const TECHNOLOGY_NAME = /^[A-Za-z0-9_-]+$/;
// Whitespace (any Unicode space), control characters and invisible format characters such as U+200B.
const UNSAFE_IN_RESOURCE = /[\s\p{Cc}\p{Cf}]/u;
