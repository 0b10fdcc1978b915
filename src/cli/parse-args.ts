import { BadArgumentError } from '../errors.js';

/** Parses a whole positive integer (or within bounds), naming the argument when it is not one. */
export function parseIntArg(name: string, raw: string, opts: { min?: number; max?: number } = {}): number {
  const min = opts.min ?? 1;
  if (!/^-?\d+$/.test(raw.trim())) throw new BadArgumentError(name, `must be a whole number, got ${JSON.stringify(raw)}`);
  const n = Number(raw);
  if (n < min) throw new BadArgumentError(name, `must be at least ${min}, got ${n}`);
  if (opts.max !== undefined && n > opts.max) throw new BadArgumentError(name, `must be at most ${opts.max}, got ${n}`);
  return n;
}

const KNOWN_TECHNOLOGIES = ['SIP', 'PJSIP', 'IAX2', 'DAHDI', 'Local', 'Motif', 'UnicastRTP', 'WebSocket', 'Console', 'Sim'];

/** Checks an endpoint's shape (`TECH/resource`) before Asterisk does, with a clearer message than its 400. */
export function checkEndpoint(name: string, endpoint: string): string {
  const slash = endpoint.indexOf('/');
  if (slash <= 0 || slash === endpoint.length - 1) {
    throw new BadArgumentError(name, `must look like TECH/resource (e.g. PJSIP/1001 or SIP/trunk/5551234), got ${JSON.stringify(endpoint)}`);
  }
  const tech = endpoint.slice(0, slash);
  if (!KNOWN_TECHNOLOGIES.some((t) => t.toLowerCase() === tech.toLowerCase())) {
    throw new BadArgumentError(name, `unknown channel technology ${JSON.stringify(tech)} (known: ${KNOWN_TECHNOLOGIES.join(', ')})`);
  }
  return endpoint;
}
