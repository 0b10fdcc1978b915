/**
 * Where calls may go (toll fraud): the installation's `allowedDestinations` and `blockedDestinations`, lists of
 * number prefixes. Checked by every import and append (a refused number is that row's error, by line and column)
 * and again right before each call (the destination gate), so a list changed after the import still binds.
 *
 * A prefix with `+` is international: it matches numbers written `+…`, or with an international access code
 * (`00…`, `011…`), whose digits follow it. A prefix without `+` matches the number as written (national formats,
 * e.g. `0900` for German premium rate). A number that matches no allowed prefix is refused when the list is set.
 */
export class DestinationRules {
  private readonly allowed: readonly string[];
  private readonly blocked: readonly string[];

  /** Throws a RangeError naming the setting and the entry when a prefix is not `+` and digits. */
  constructor(allowed: readonly string[] = [], blocked: readonly string[] = []) {
    const problems: string[] = [];
    const check = (list: readonly string[], setting: string) =>
      list.map((p) => {
        const s = p.trim().replace(/[\s().-]/g, '');
        if (!/^\+?\d{1,15}$/.test(s)) problems.push(`${setting}: ${JSON.stringify(p)} is not a number prefix like +1900 or 0900`);
        return s;
      });
    this.allowed = check(allowed, 'allowedDestinations');
    this.blocked = check(blocked, 'blockedDestinations');
    if (problems.length) throw new RangeError(problems.join('; '));
  }

  get hasAllowList(): boolean {
    return this.allowed.length > 0;
  }

  /** No list set: every number may be dialed. */
  get open(): boolean {
    return this.allowed.length === 0 && this.blocked.length === 0;
  }

  /** Why this (normalized) number may not be dialed, naming the rule; undefined when it may. */
  problem(number: string): string | undefined {
    const blocked = this.blocked.find((p) => matches(number, p));
    if (blocked !== undefined) return `${number} is in blockedDestinations (${blocked})`;
    if (this.allowed.length && !this.allowed.some((p) => matches(number, p))) {
      return `${number} is outside allowedDestinations (${this.allowed.join(', ')})`;
    }
    return undefined;
  }
}

/**
 * For `dial`, which takes an endpoint rather than a number: the number is the endpoint's last resource part
 * (`PJSIP/+4930123@trunk`, `SIP/trunk/0019005550100`). When it holds none (`PJSIP/1001x`), blocked prefixes cannot
 * apply, and an allowed list refuses it: where it calls cannot be told.
 */
export function endpointDestinationProblem(rules: DestinationRules, endpoint: string): string | undefined {
  if (rules.open) return undefined;
  const resource = endpoint.slice(endpoint.indexOf('/') + 1).split('@')[0] ?? '';
  const last = resource.split('/').pop() ?? '';
  if (/^\+?\d{3,}$/.test(last)) return rules.problem(last);
  return rules.hasAllowList ? `${endpoint} holds no number to check against allowedDestinations` : undefined;
}

function matches(number: string, prefix: string): boolean {
  if (!prefix.startsWith('+')) return number.replace(/^\+/, '').startsWith(prefix);
  const digits = prefix.slice(1);
  if (number.startsWith('+')) return number.slice(1).startsWith(digits);
  const international = /^(?:00|011)(\d+)$/.exec(number);
  return international !== null && international[1]!.startsWith(digits);
}
