import { createHash, timingSafeEqual } from 'node:crypto';

/** Like ari.conf's `read_only`: a viewer looks, an operator also uploads, pauses, resumes, cancels and retries. */
export type Role = 'viewer' | 'operator';

export const ROLES: readonly Role[] = ['operator', 'viewer'];

/** Shortest token accepted: 24 characters (e.g. `openssl rand -hex 16` gives 32) cannot be guessed at 10 tries per 10 minutes. */
export const MIN_TOKEN_LENGTH = 24;

/**
 * One token the dashboard accepts, by name, so that the audit record says who acted. Give the token itself, or only
 * its SHA-256 in hex (`printf %s "$TOKEN" | sha256sum`) so the config file holds no secret.
 */
export interface NamedToken {
  /** Letters, digits, `.`, `_`, `-`: what the audit record shows as "who". */
  name: string;
  role: Role;
  token?: string;
  sha256?: string;
  /** Where the token was configured, for problem messages (`dashboardTokens[1]`). @defaultValue the name */
  setting?: string;
}

/** Who a request is: the matching token's name and role. */
export interface Identity {
  name: string;
  role: Role;
}

interface Entry extends Identity {
  digest: Buffer;
}

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/i;

/**
 * Every problem with a list of tokens, each naming its setting: short tokens, bad names or roles, reused names. With
 * `shortAllowed` (a dashboard on loopback only) a short token is not a problem: shortTokenNotes() says it instead.
 */
export function tokenProblems(list: readonly NamedToken[], { shortAllowed = false }: { shortAllowed?: boolean } = {}): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  const digests = new Set<string>();
  for (const t of list) {
    const at = t.setting ?? `token ${JSON.stringify(t.name)}`;
    if (!NAME.test(t.name)) problems.push(`${at}: name must be 1 to 64 letters, digits, ".", "_" or "-", got ${JSON.stringify(t.name)}`);
    else if (names.has(t.name)) problems.push(`${at}: the name ${JSON.stringify(t.name)} is used twice`);
    names.add(t.name);
    if (!ROLES.includes(t.role)) problems.push(`${at}: role must be operator or viewer, got ${JSON.stringify(t.role)}`);
    if ((t.token === undefined) === (t.sha256 === undefined)) problems.push(`${at}: give token or sha256, one of the two`);
    if (!shortAllowed) problems.push(...shortTokenNotes([t]));
    if (t.sha256 !== undefined && !SHA256_HEX.test(t.sha256)) problems.push(`${at}: sha256 must be 64 hex digits (printf %s "$TOKEN" | sha256sum)`);
    const d = digestOf(t)?.toString('hex');
    if (d !== undefined && digests.has(d)) problems.push(`${at}: the same token is configured twice (each person or system gets a token of its own)`);
    if (d !== undefined) digests.add(d);
  }
  return problems;
}

/** One line per token shorter than MIN_TOKEN_LENGTH, naming its setting and its length (never the token: it may be logged). */
export function shortTokenNotes(list: readonly NamedToken[]): string[] {
  return list
    .filter((t) => t.token !== undefined && t.token.length < MIN_TOKEN_LENGTH)
    .map(
      (t) =>
        `${t.setting ?? `token ${JSON.stringify(t.name)}`}: the token is ${t.token!.length} characters long, at least ${MIN_TOKEN_LENGTH} are required (make one with: openssl rand -hex 16)`,
    );
}

/** The tokens a dashboard accepts, kept only as SHA-256 digests. */
export class TokenSet {
  private readonly entries: readonly Entry[];

  constructor(list: readonly NamedToken[]) {
    this.entries = list.flatMap((t) => {
      const digest = digestOf(t);
      return digest ? [{ name: t.name, role: t.role, digest }] : [];
    });
  }

  get size(): number {
    return this.entries.length;
  }

  /** How the tokens are described in the start-up log line (names and roles, never tokens). */
  describe(): string {
    return this.entries.map((e) => `${e.name} (${e.role})`).join(', ');
  }

  /** Who holds this token, compared in constant time against every entry (digests, so lengths do not leak either). */
  match(token: string): Identity | undefined {
    const d = sha256(token);
    let found: Entry | undefined;
    for (const e of this.entries) if (timingSafeEqual(d, e.digest) && !found) found = e;
    return found ? { name: found.name, role: found.role } : undefined;
  }

  /** The token's digest for a name still configured with this role (a session ends when its token is removed or changed). */
  digestFor(who: Identity): Buffer | undefined {
    return this.entries.find((e) => e.name === who.name && e.role === who.role)?.digest;
  }
}

export function sha256(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

function digestOf(t: NamedToken): Buffer | undefined {
  if (t.token !== undefined) return sha256(t.token);
  if (t.sha256 !== undefined && SHA256_HEX.test(t.sha256)) return Buffer.from(t.sha256, 'hex');
  return undefined;
}
