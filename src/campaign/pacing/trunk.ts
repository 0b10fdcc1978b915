/**
 * A carrier trunk as the config file names it. Carriers limit calls per second and channels per trunk, not per
 * campaign: every campaign and worker dialing through it shares these limits (in Redis), on top of each campaign's
 * own cps and maxConcurrent.
 */
export interface Trunk {
  /** Shown in status and logs; also its Redis keys. Letters, digits, `.`, `_` and `-`. */
  name: string;
  /**
   * Which dial strings go through it: a pattern over the whole endpoint where `*` stands for any run of characters
   * (`PJSIP/*@pstn`), or, without `*`, a prefix (`SIP/trunk/`). The first trunk that matches wins.
   */
  match: string;
  /** Originates per second over every campaign and worker. @defaultValue no limit */
  cps?: number;
  /** Channels in flight at once over every campaign and worker. @defaultValue no limit */
  maxChannels?: number;
}

/** The trunk a dial string goes through, if any: the first in the list that matches. */
export function trunkFor(endpoint: string, trunks: readonly Trunk[]): Trunk | undefined {
  return trunks.find((t) => matches(t.match, endpoint));
}

const compiled = new Map<string, RegExp>();

/** `*` matches any run of characters over the whole string; a pattern without `*` is a prefix. */
export function matches(pattern: string, endpoint: string): boolean {
  if (!pattern.includes('*')) return endpoint.startsWith(pattern);
  let re = compiled.get(pattern);
  if (!re) {
    re = new RegExp(
      `^${pattern
        .split('*')
        .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    );
    compiled.set(pattern, re);
  }
  return re.test(endpoint);
}
