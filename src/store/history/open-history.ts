import type { Logger } from '../../log.js';
import { HistoryStore } from './history-store.js';
import { LATEST_VERSION } from './migrations.js';
import { DialerError } from '../../errors.js';

export interface OpenHistoryOptions {
  /** DATABASE_URL. */
  url: string;
  /** Bring the schema up to date first (`--migrate`). @defaultValue false */
  migrate?: boolean;
  /** @defaultValue 'public' */
  schema?: string;
  logger?: Logger;
}

/**
 * Connects the history store and checks its schema, so a process refuses to start on a database nobody migrated
 * (rather than failing on the first write, in the archiver, minutes later).
 */
export async function openHistory(o: OpenHistoryOptions): Promise<HistoryStore> {
  const history = new HistoryStore({ url: o.url, ...(o.schema ? { schema: o.schema } : {}) });
  try {
    if (o.migrate) {
      const r = await history.migrate();
      if (r.applied.length) o.logger?.info({ from: r.from, to: r.to }, 'history schema migrated');
    }
    const v = await history.schemaVersion();
    if (v < LATEST_VERSION) {
      throw new DialerError(
        'HISTORY',
        `the history schema in PostgreSQL is at version ${v}, this ari-dialer needs ${LATEST_VERSION}: run "ari-dialer db migrate" (or start with --migrate)`,
      );
    }
    return history;
  } catch (err) {
    await history.close().catch(() => undefined);
    if (err instanceof DialerError) throw err;
    throw new DialerError('HISTORY', `PostgreSQL (DATABASE_URL): ${(err as Error).message}`, { cause: err });
  }
}
