import { BlockList, isIP } from 'node:net';

/** Why an address is inside: each a rule the error names. */
export type AddressClass = 'loopback' | 'link-local' | 'private' | 'shared (carrier-grade NAT)' | 'unique-local' | 'unspecified' | 'multicast' | 'reserved';

/** The ranges a webhook may not reach unless `webhookAllowHosts` lists them (RFC 6890's special-purpose registry). */
const RULES: ReadonlyArray<[AddressClass, 'ipv4' | 'ipv6', string, number]> = [
  ['unspecified', 'ipv4', '0.0.0.0', 8],
  ['loopback', 'ipv4', '127.0.0.0', 8],
  ['private', 'ipv4', '10.0.0.0', 8],
  ['private', 'ipv4', '172.16.0.0', 12],
  ['private', 'ipv4', '192.168.0.0', 16],
  ['shared (carrier-grade NAT)', 'ipv4', '100.64.0.0', 10],
  ['link-local', 'ipv4', '169.254.0.0', 16],
  ['reserved', 'ipv4', '192.0.0.0', 24],
  ['reserved', 'ipv4', '198.18.0.0', 15],
  ['multicast', 'ipv4', '224.0.0.0', 4],
  ['reserved', 'ipv4', '240.0.0.0', 4],
  ['unspecified', 'ipv6', '::', 128],
  ['loopback', 'ipv6', '::1', 128],
  ['unique-local', 'ipv6', 'fc00::', 7],
  ['link-local', 'ipv6', 'fe80::', 10],
  ['multicast', 'ipv6', 'ff00::', 8],
];

const LISTS = new Map<AddressClass, BlockList>();
for (const [cls, family, net, bits] of RULES) {
  let list = LISTS.get(cls);
  if (!list) LISTS.set(cls, (list = new BlockList()));
  list.addSubnet(net, bits, family);
}

/**
 * The rule an IP address breaks, or undefined for a public address. An IPv4 address written as IPv6 (`::ffff:…`,
 * `::a.b.c.d`, NAT64 `64:ff9b::…`) is judged as the IPv4 address it reaches.
 */
export function addressClass(address: string): AddressClass | undefined {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 0) return undefined;
  if (family === 6) {
    const v4 = embeddedIpv4(bare);
    if (v4 !== undefined) return addressClass(v4);
  }
  for (const [cls, list] of LISTS) if (list.check(bare, family === 4 ? 'ipv4' : 'ipv6')) return cls;
  return undefined;
}

/** The IPv4 address inside an IPv4-mapped (::ffff:0:0/96), IPv4-compatible (::/96) or NAT64 (64:ff9b::/96) one. */
function embeddedIpv4(v6: string): string | undefined {
  const h = expandIpv6(v6);
  if (!h) return undefined;
  const mapped = h.slice(0, 5).every((x) => x === 0) && (h[5] === 0xffff || (h[5] === 0 && (h[6]! !== 0 || h[7]! > 1)));
  const nat64 = h[0] === 0x64 && h[1] === 0xff9b && h.slice(2, 6).every((x) => x === 0);
  if (!mapped && !nat64) return undefined;
  return [h[6]! >> 8, h[6]! & 0xff, h[7]! >> 8, h[7]! & 0xff].join('.');
}

/** Eight 16-bit groups of an IPv6 address (a trailing dotted IPv4 part included), or undefined. */
function expandIpv6(s: string): number[] | undefined {
  let text = s.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const b = dotted[1]!.split('.').map(Number);
    text = text.slice(0, -dotted[1]!.length) + `${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const parts = (x: string) => (x === '' ? [] : x.split(':').map((p) => parseInt(p, 16)));
  const a = parts(head);
  const b = tail === undefined ? [] : parts(tail);
  const fill = tail === undefined ? 0 : 8 - a.length - b.length;
  const all = [...a, ...Array<number>(Math.max(0, fill)).fill(0), ...b];
  return all.length === 8 && all.every((x) => Number.isInteger(x) && x >= 0 && x <= 0xffff) ? all : undefined;
}

/** `webhookAllowHosts`, read once: exact host names, and addresses or CIDR blocks. */
export class AllowedHosts {
  private readonly names = new Set<string>();
  private readonly blocks = new BlockList();
  private any = false;

  /** Throws a RangeError naming the bad entries. */
  constructor(entries: readonly string[] = []) {
    const bad: string[] = [];
    for (const raw of entries) {
      const e = raw
        .trim()
        .toLowerCase()
        .replace(/^\[|\]$/g, '');
      const cidr = /^(.+)\/(\d{1,3})$/.exec(e);
      const family = isIP(cidr ? cidr[1]! : e);
      if (cidr && family) {
        const bits = Number(cidr[2]);
        if (bits > (family === 4 ? 32 : 128)) bad.push(raw);
        else this.blocks.addSubnet(cidr[1]!, bits, family === 4 ? 'ipv4' : 'ipv6');
      } else if (family) this.blocks.addAddress(e, family === 4 ? 'ipv4' : 'ipv6');
      else if (/^[a-z0-9_.-]+$/.test(e) && !cidr) this.names.add(e.replace(/\.$/, ''));
      else bad.push(raw);
      this.any = true;
    }
    if (bad.length) throw new RangeError(`webhookAllowHosts: not a host name, address or CIDR: ${bad.map((b) => JSON.stringify(b)).join(', ')}`);
  }

  get empty(): boolean {
    return !this.any;
  }

  /** A host name (as in the URL) the list names exactly. */
  allowsName(host: string): boolean {
    return this.names.has(
      host
        .toLowerCase()
        .replace(/^\[|\]$/g, '')
        .replace(/\.$/, ''),
    );
  }

  /** An address inside one of the listed addresses or blocks. */
  allowsAddress(address: string): boolean {
    const bare = address.replace(/^\[|\]$/g, '');
    const family = isIP(bare);
    if (!family) return false;
    if (this.blocks.check(bare, family === 4 ? 'ipv4' : 'ipv6')) return true;
    const v4 = family === 6 ? embeddedIpv4(bare) : undefined;
    return v4 !== undefined && this.blocks.check(v4, 'ipv4');
  }
}
