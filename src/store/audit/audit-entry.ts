/** What was done. Campaign actions, the do-not-call list, and logins (a failure is any wrong token, at any door). */
export type AuditAction =
  | 'campaign.create'
  | 'campaign.add-contacts'
  | 'campaign.pause'
  | 'campaign.resume'
  | 'campaign.cancel'
  | 'campaign.delete'
  | 'campaign.schedule'
  | 'campaign.purge'
  | 'call.now'
  | 'suppression.add'
  | 'suppression.remove'
  | 'login'
  | 'login.failed';

/** One operator action on record. Never a token, a password or a URL with credentials: `detail` holds plain facts. */
export interface AuditEntry {
  /** ISO time. */
  at: string;
  /** The token's name (`operator`, `alice`…), `local` on an open dashboard, `user@host` from the CLI; `-` when unknown. */
  who: string;
  /** The client address (web, as trustProxy decides) or the host name (CLI). */
  from: string;
  /** Where the action came in. */
  via: 'web' | 'cli';
  action: AuditAction;
  campaignId?: string;
  /** `ok`; `refused` (4xx: not allowed, bad input); `failed` (an error on our side). */
  outcome: 'ok' | 'refused' | 'failed';
  detail?: Record<string, string | number | boolean | null>;
}

export interface AuditQuery {
  campaignId?: string;
  /** Entries at or after this time (ms since the epoch). */
  since?: number;
  /** Most entries returned, newest first. @defaultValue 100 */
  limit?: number;
}

/** The record of operator actions: PostgreSQL when configured (table `audit`), else a capped Redis stream. */
export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
  /** Newest first. */
  list(query?: AuditQuery): Promise<AuditEntry[]>;
}
