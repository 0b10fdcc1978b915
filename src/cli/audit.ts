import { hostname, userInfo } from 'node:os';
import { Command } from 'commander';
import type { DialerConfig } from '../ops/config.js';
import { BadArgumentError, DialerError } from '../errors.js';
import type { AuditAction, AuditEntry, AuditLog } from '../store/audit/audit-log.js';

/** The CLI commands that act, and what the record calls them. Reading commands are not recorded. */
const AUDITED: Readonly<Record<string, AuditAction>> = {
  'campaign create': 'campaign.create',
  'campaign add': 'campaign.add-contacts',
  'campaign pause': 'campaign.pause',
  'campaign resume': 'campaign.resume',
  'campaign cancel': 'campaign.cancel',
  'campaign schedule': 'campaign.schedule',
  'campaign delete': 'campaign.delete',
  'campaign purge': 'campaign.purge',
  'suppress add': 'suppression.add',
  'suppress remove': 'suppression.remove',
};
/** Options worth keeping in the record: facts about the action, never a URL (it may hold credentials) or a secret. */
const DETAIL_OPTIONS = ['name', 'csv', 'file', 'force', 'history', 'olderThan', 'startAt', 'endAt', 'skipInvalid', 'allowRowOverrides'];

interface Pending {
  action: AuditAction;
  campaignId?: string;
  detail: Record<string, string | number | boolean | null>;
}

/**
 * Puts every acting CLI command on record, as `user@host`: commander's hooks note the command before it runs and
 * record it after (ok, or refused when it set a non-zero exit); `main` records a command that threw.
 */
export class CliAudit {
  private pending: Pending | undefined;

  constructor(private readonly config: DialerConfig) {}

  attach(program: Command, exitCode: () => number): void {
    program.hook('preAction', (_root, cmd) => {
      const action = AUDITED[`${cmd.parent?.name()} ${cmd.name()}`];
      const opts = cmd.opts<Record<string, unknown>>();
      if (!action || (action === 'campaign.create' && opts.preview)) return;
      const detail: Pending['detail'] = {};
      for (const k of DETAIL_OPTIONS) {
        const v = opts[k];
        if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') detail[k] = v;
      }
      const first = cmd.args[0];
      if (action.startsWith('suppression.')) detail.numbers = cmd.args.length;
      this.pending = {
        action,
        ...(action.startsWith('campaign.') && first && action !== 'campaign.create' && action !== 'campaign.purge' ? { campaignId: first } : {}),
        detail,
      };
    });
    program.hook('postAction', () => this.finish(exitCode() === 0 ? 'ok' : 'refused'));
  }

  /** The campaign a command created (known only once it ran). */
  noteCampaign(id: string): void {
    if (this.pending) this.pending.campaignId = id;
  }

  /** Records the pending command, if any; a record that cannot be written is a warning, never the command's failure. */
  async finish(outcome: AuditEntry['outcome'], err?: unknown): Promise<void> {
    const p = this.pending;
    this.pending = undefined;
    if (!p) return;
    if (err instanceof DialerError) p.detail.error = err.code;
    const entry: AuditEntry = {
      at: new Date().toISOString(),
      who: cliUser(),
      from: hostname(),
      via: 'cli',
      action: p.action,
      ...(p.campaignId ? { campaignId: p.campaignId } : {}),
      outcome,
      detail: p.detail,
    };
    try {
      await withAuditLog(this.config, (log) => log.record(entry));
    } catch (e) {
      process.stderr.write(`ari-dialer: warning: the action was not recorded in the audit log: ${(e as Error).message}\n`);
    }
  }
}

/** `ari-dialer audit [--campaign ID] [--since 1d] [--limit N] [--json]`: who did what, newest first. */
export function auditCommand(config: DialerConfig): Command {
  return new Command('audit')
    .description('who did what: operator actions from the CLI, the API and the dashboard, newest first')
    .option('--campaign <id>', 'only this campaign')
    .option('--since <span>', 'only since: 30m, 12h, 1d, 2w or an ISO time with a zone')
    .option('--limit <n>', 'at most this many entries', '100')
    .option('--json', 'one JSON object per line')
    .action(async (o: { campaign?: string; since?: string; limit: string; json?: boolean }) => {
      const { parseSince } = await import('../store/audit/since.js');
      let since: number | undefined;
      try {
        since = o.since === undefined ? undefined : parseSince(o.since);
      } catch (err) {
        throw new BadArgumentError('--since', (err as Error).message.replace(/^since: /, ''));
      }
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100_000)
        throw new BadArgumentError('--limit', `must be a whole number from 1 to 100000, got ${JSON.stringify(o.limit)}`);
      const entries = await withAuditLog(config, (log) =>
        log.list({ ...(o.campaign ? { campaignId: o.campaign } : {}), ...(since !== undefined ? { since } : {}), limit }),
      );
      for (const e of entries) process.stdout.write(o.json ? `${JSON.stringify(e)}\n` : `${formatEntry(e)}\n`);
      if (!o.json && entries.length === 0) process.stdout.write('(no actions on record)\n');
    });
}

export function formatEntry(e: AuditEntry): string {
  const detail = e.detail
    ? Object.entries(e.detail)
        .map(([k, v]) => `${k}=${v === null ? '-' : String(v)}`)
        .join(' ')
    : '';
  return [e.at, e.who, e.via, e.from, e.action, e.campaignId ?? '-', e.outcome, detail].join('  ').trimEnd();
}

function cliUser(): string {
  let user = process.env.USER ?? process.env.LOGNAME;
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (a container's arbitrary uid): the environment's word, else "?".
  }
  return `${user ?? '?'}@${hostname()}`;
}

async function withAuditLog<T>(config: DialerConfig, fn: (log: AuditLog) => Promise<T>): Promise<T> {
  const [{ redisForCli }, { Keys }, { openAuditLog }] = await Promise.all([
    import('./redis-for-cli.js'),
    import('../store/keys.js'),
    import('../store/audit/audit-log.js'),
  ]);
  const redis = await redisForCli(config.redisUrl);
  const history = config.databaseUrl
    ? await (await import('../store/history/open-history.js')).openHistory({ url: config.databaseUrl }).catch((err) => {
        redis.disconnect();
        throw err;
      })
    : undefined;
  try {
    return await fn(openAuditLog({ redis, keys: new Keys(config.prefix), history }));
  } finally {
    await history?.close();
    redis.disconnect();
  }
}
