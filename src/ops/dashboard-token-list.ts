import { checkNamedList } from './named-entries.js';

/** One entry of the config file's `dashboardTokens`: a person or system, its role, and its token or the token's SHA-256. */
export interface DashboardTokenEntry {
  name: string;
  role: 'operator' | 'viewer';
  token?: string;
  sha256?: string;
}

const FIELDS = ['name', 'role', 'token', 'sha256'];

/**
 * Checks the config file's `dashboardTokens` list (untrusted input), one problem per bad field. The length of a token
 * is checked when the dashboard starts (with the env tokens, src/dashboard/security/dashboard-tokens.ts); here its
 * shape. Prefer `sha256`: the file then holds no secret.
 */
export function checkDashboardTokenList(raw: unknown, file: string, problems: string[]): DashboardTokenEntry[] {
  const spec = { file, list: 'dashboardTokens', fields: FIELDS, shape: 'name, role (operator or viewer), token or sha256' };
  return checkNamedList(raw, spec, problems, (e, name, at) => {
    const before = problems.length;
    if (e.role !== 'operator' && e.role !== 'viewer') problems.push(`${at}.role: must be operator or viewer, got ${JSON.stringify(e.role)}`);
    if ((e.token === undefined) === (e.sha256 === undefined)) problems.push(`${at}: give token or sha256 (printf %s "$TOKEN" | sha256sum), one of the two`);
    if (e.token !== undefined && (typeof e.token !== 'string' || e.token === '')) problems.push(`${at}.token: must be a non-empty string`);
    if (e.sha256 !== undefined && (typeof e.sha256 !== 'string' || !/^[0-9a-fA-F]{64}$/.test(e.sha256))) problems.push(`${at}.sha256: must be 64 hex digits`);
    if (problems.length > before) return undefined;
    return {
      name,
      role: e.role as DashboardTokenEntry['role'],
      ...(typeof e.token === 'string' ? { token: e.token } : {}),
      ...(typeof e.sha256 === 'string' ? { sha256: e.sha256.toLowerCase() } : {}),
    };
  });
}
