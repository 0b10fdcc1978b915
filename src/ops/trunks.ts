import type { Trunk } from '../campaign/pacing/trunk.js';
import { checkNamedList } from './named-entries.js';

const FIELDS = ['name', 'match', 'prefix', 'cps', 'maxChannels'];

/**
 * Checks the config file's `trunks` list (untrusted input), adding one problem per bad field, each naming the entry
 * and the field. `prefix: 'SIP/trunk/'` is the same as `match` without `*`; give one of the two.
 */
export function checkTrunkList(raw: unknown, file: string, problems: string[]): Trunk[] {
  const spec = { file, list: 'trunks', fields: FIELDS, shape: 'name, match (or prefix), cps, maxChannels' };
  return checkNamedList(raw, spec, problems, (e, name, at) => {
    const before = problems.length;
    if ((e.match === undefined) === (e.prefix === undefined))
      problems.push(`${at}: give match (e.g. "PJSIP/*@pstn") or prefix (e.g. "SIP/trunk/"), one of the two`);
    const pattern = e.match ?? e.prefix;
    const field = e.match !== undefined ? 'match' : 'prefix';
    if (pattern !== undefined && (typeof pattern !== 'string' || !/^[^\s*]/.test(pattern) || !pattern.includes('/'))) {
      problems.push(`${at}.${field}: must be a dial string pattern like "PJSIP/*@pstn" or "SIP/trunk/" (technology first), got ${JSON.stringify(pattern)}`);
    } else if (field === 'prefix' && typeof pattern === 'string' && pattern.includes('*')) {
      problems.push(`${at}.prefix: a prefix has no "*" (use match for a pattern), got ${JSON.stringify(pattern)}`);
    }
    const cps = e.cps;
    if (cps !== undefined && !(typeof cps === 'number' && Number.isFinite(cps) && cps >= 0.01 && cps <= 1000)) {
      problems.push(`${at}.cps: must be a number from 0.01 to 1000, got ${JSON.stringify(cps)}`);
    }
    const max = e.maxChannels;
    if (max !== undefined && !(typeof max === 'number' && Number.isInteger(max) && max >= 1 && max <= 100_000)) {
      problems.push(`${at}.maxChannels: must be a whole number from 1 to 100000, got ${JSON.stringify(max)}`);
    }
    if (cps === undefined && max === undefined) problems.push(`${at}: give cps, maxChannels or both (a trunk without limits does nothing)`);
    if (problems.length > before) return undefined;
    return {
      name,
      match: pattern as string,
      ...(typeof cps === 'number' ? { cps } : {}),
      ...(typeof max === 'number' ? { maxChannels: max } : {}),
    };
  });
}
