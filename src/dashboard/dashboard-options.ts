import type { CampaignService } from '../campaign/campaign-service.js';
import type { Logger } from '../log.js';
import type { DeletableHistory } from '../store/deletable-history.js';
import type { RecordingSources } from '../ari/recording-file.js';
import type { AuditLog } from '../store/audit/audit-log.js';
import { shortTokenNotes, tokenProblems, type NamedToken } from './security/dashboard-tokens.js';
import type { GuessThrottleOptions } from './security/guess-throttle.js';
import { ProxyTrust } from './security/proxy-trust.js';

/** What {@link startDashboard} needs. Tokens come from `loadConfig` (DASHBOARD_TOKEN, DASHBOARD_VIEWER_TOKEN). */
export interface DashboardOptions {
  /** Every read and every action goes through it; the dashboard keeps no campaign state of its own. */
  service: CampaignService;
  /**
   * Redis for the live feed's subscriber (pub/sub needs a connection of its own).
   * @defaultValue a duplicate of the service's connection
   */
  redisUrl?: string;
  /** @defaultValue '127.0.0.1' */
  host?: string;
  /** 0 picks a free port (tests). @defaultValue 8080 */
  port?: number;
  /** May do everything: upload, pause, resume, cancel, retry jobs. Named `operator` in the audit record. @defaultValue none */
  operatorToken?: string;
  /** May only look (like ari.conf's `read_only = yes`). Needs an operator token too. Named `viewer`. @defaultValue none */
  viewerToken?: string;
  /** Tokens by name (`dashboardTokens` in the config file), so the audit record says who acted. @defaultValue none */
  tokens?: readonly NamedToken[];
  /** Proxies whose X-Forwarded-For/-Proto/-Host are believed (`trustProxy`). @defaultValue none: the socket only */
  trustProxy?: string;
  /**
   * The URL users open when the dashboard sits behind a reverse proxy (`https://dialer.example.com`): its host is
   * served and its origin trusted for writes. @defaultValue none: only the bind address and localhost are served
   */
  publicUrl?: string;
  /** Failed token checks allowed per client address and overall. @defaultValue 10 per 10 minutes per address, 200 overall */
  guessLimits?: GuessThrottleOptions;
  /** Largest accepted upload, in bytes (the whole request body). @defaultValue 52428800 (50 MB) */
  maxUploadBytes?: number;
  /** Longest gap between two live updates sent to one page is not bounded; the shortest is this. @defaultValue 250 */
  liveIntervalMs?: number;
  /** Where operator actions are recorded. @defaultValue PostgreSQL's `audit` table with the service's history, else a Redis stream */
  audit?: AuditLog;
  /** Where a delete with `history=1` deletes the campaign's history. @defaultValue none: `history=1` is refused */
  history?: DeletableHistory;
  /**
   * Where each Asterisk's recordings are (the config file's `asterisks`, `default` for ARI_URL), for listening to them.
   * @defaultValue none: every recording answers 404
   */
  recordings?: RecordingSources;
  logger?: Logger;
}

export interface ResolvedDashboardOptions extends Required<
  Omit<DashboardOptions, 'redisUrl' | 'operatorToken' | 'viewerToken' | 'history' | 'publicUrl' | 'guessLimits' | 'trustProxy' | 'recordings' | 'audit'>
> {
  recordings?: RecordingSources;
  audit?: AuditLog;
  guessLimits?: GuessThrottleOptions;
  publicUrl?: string;
  history?: DeletableHistory;
  redisUrl?: string;
  /** Every token, the env ones first as `operator` and `viewer`. */
  tokens: readonly NamedToken[];
  proxy: ProxyTrust;
}

export const DEFAULT_MAX_UPLOAD_BYTES = 50 * 1024 * 1024;

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** Loopback addresses are the only ones an open (token-less) dashboard may listen on. */
export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Merges defaults once and checks every option, naming it; throws one RangeError listing all problems. */
export function resolveDashboardOptions(o: DashboardOptions, silent: Logger): ResolvedDashboardOptions {
  const r: ResolvedDashboardOptions = {
    service: o.service,
    redisUrl: o.redisUrl,
    host: o.host ?? '127.0.0.1',
    port: o.port ?? 8080,
    tokens: [
      ...(o.operatorToken ? [{ name: 'operator', role: 'operator' as const, token: o.operatorToken, setting: 'dashboardToken (DASHBOARD_TOKEN)' }] : []),
      ...(o.viewerToken ? [{ name: 'viewer', role: 'viewer' as const, token: o.viewerToken, setting: 'dashboardViewerToken (DASHBOARD_VIEWER_TOKEN)' }] : []),
      ...(o.tokens ?? []),
    ],
    proxy: new ProxyTrust(),
    maxUploadBytes: o.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES,
    liveIntervalMs: o.liveIntervalMs ?? 250,
    logger: o.logger ?? silent,
    history: o.history,
    recordings: o.recordings,
    audit: o.audit,
    publicUrl: o.publicUrl || undefined,
    guessLimits: o.guessLimits,
  };
  const problems: string[] = [];
  if (!Number.isInteger(r.port) || r.port < 0 || r.port > 65535) problems.push(`port must be a whole number from 0 to 65535, got ${r.port}`);
  if (!Number.isInteger(r.maxUploadBytes) || r.maxUploadBytes < 1) problems.push(`maxUploadBytes must be a positive whole number, got ${r.maxUploadBytes}`);
  if (!(r.liveIntervalMs >= 50)) problems.push(`liveIntervalMs must be at least 50, got ${r.liveIntervalMs}`);
  if (r.publicUrl !== undefined && !/^https?:\/\/[^/?#@]+\/?$/.test(r.publicUrl))
    problems.push(`publicUrl must be an http(s) origin like https://dialer.example.com, got ${JSON.stringify(r.publicUrl)}`);
  try {
    r.proxy = new ProxyTrust(o.trustProxy);
  } catch (err) {
    problems.push((err as Error).message);
  }
  // A short token is refused where the dashboard can be reached from elsewhere; on loopback only it is a warning.
  const loopbackOnly = isLoopback(r.host);
  problems.push(...tokenProblems(r.tokens, { shortAllowed: loopbackOnly }));
  if (loopbackOnly && problems.length === 0) {
    for (const note of shortTokenNotes(r.tokens)) r.logger.warn(`${note}; allowed while the dashboard listens on loopback only, refused on any other address`);
  }
  const operators = r.tokens.filter((t) => t.role === 'operator').length;
  if (r.tokens.length > 0 && operators === 0)
    problems.push('viewerToken needs an operatorToken too (a viewer token without DASHBOARD_TOKEN or an operator in dashboardTokens)');
  if (!operators && !isLoopback(r.host)) {
    problems.push(`host ${r.host} is not a loopback address: set an operator token (DASHBOARD_TOKEN) to listen there`);
  }
  if (problems.length) throw new RangeError(`dashboard options: ${problems.join('; ')}`);
  return r;
}
