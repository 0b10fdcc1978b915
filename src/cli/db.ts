import { Command } from 'commander';
import type { DialerConfig } from '../ops/config.js';
import { DialerError } from '../errors.js';

const out = (s: string) => process.stdout.write(`${s}\n`);

/** `ari-dialer db migrate|version`: the call history's schema in PostgreSQL (DATABASE_URL). */
export function dbCommand(config: Readonly<DialerConfig>): Command {
  const cmd = new Command('db').description('the call history in PostgreSQL (DATABASE_URL)');
  const store = async () => {
    if (!config.databaseUrl) throw new DialerError('BAD_CONFIG', 'DATABASE_URL is not set (or databaseUrl in the config file): no history database to work on');
    const { HistoryStore } = await import('../store/history/history-store.js');
    return new HistoryStore({ url: config.databaseUrl });
  };
  cmd
    .command('migrate')
    .description('bring the history schema up to date (safe to run again, and from several hosts at once)')
    .action(async () => {
      const h = await store();
      try {
        const r = await h.migrate();
        out(
          r.applied.length
            ? `migrated the history schema from version ${r.from} to ${r.to}: ${r.applied.map((m) => `${m.version} ${m.name}`).join('; ')}`
            : `the history schema is up to date (version ${r.to})`,
        );
      } catch (err) {
        throw err instanceof DialerError ? err : new DialerError('HISTORY', `PostgreSQL (DATABASE_URL): ${(err as Error).message}`, { cause: err });
      } finally {
        await h.close();
      }
    });
  cmd
    .command('version')
    .description("the history schema's version in PostgreSQL, and the one this ari-dialer needs")
    .action(async () => {
      const h = await store();
      const { LATEST_VERSION } = await import('../store/history/migrations.js');
      try {
        out(`schema version ${await h.schemaVersion()} (this ari-dialer needs ${LATEST_VERSION})`);
      } finally {
        await h.close();
      }
    });
  return cmd;
}
