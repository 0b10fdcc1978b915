import type { Command } from 'commander';
import type { CampaignService } from '../campaign/campaign-service.js';
import type { DialerConfig } from '../ops/config.js';
import type { DeletableHistory } from '../store/deletable-history.js';

type WithService = <T>(config: DialerConfig, fn: (svc: CampaignService) => Promise<T>) => Promise<T>;

const out = (s: string): void => void process.stdout.write(`${s}\n`);

/** `campaign delete` and `campaign purge`: a campaign's Redis state (and, with --history, its history) goes. */
export function addRetentionCommands(cmd: Command, config: DialerConfig, withService: WithService): void {
  cmd
    .command('delete <id>')
    .description("delete a finished or cancelled campaign's Redis state (results, attempts, counters, queues); the suppression list stays")
    .option('--force', 'also a campaign that still dials (cancels it first) or has calls or webhook deliveries under way (those are dropped)')
    .option('--history', 'also delete its history in the history store (PostgreSQL, when configured)')
    .option('--json', 'print one JSON object')
    .action(async (id: string, o: { force?: boolean; history?: boolean; json?: boolean }) => {
      await withService(config, async (svc) => {
        const { deleteCampaign } = await import('../campaign/retention/delete-campaign.js');
        const history = o.history ? await historyFor(config) : undefined;
        const { recordingSourcesFrom } = await import('../ops/recording-sources.js');
        const r = await deleteCampaign(svc, id, { force: o.force === true, history, recordings: recordingSourcesFrom(config) }).finally(() => history?.close());
        if (o.json) return out(JSON.stringify(r));
        out(`deleted ${r.id} (${r.name}, ${r.state}${r.cancelled ? ', cancelled first' : ''}): ${r.keys} Redis keys, queues ${r.queues.join(' and ')}`);
        const rec = r.recordings;
        if (rec.deleted || rec.missing || rec.failed.length)
          out(`recordings: ${rec.deleted} deleted from Asterisk, ${rec.missing} already gone, ${rec.failed.length} not deleted`);
        for (const f of rec.failed) process.stderr.write(`  recording ${f.name} on ${f.asterisk} not deleted: ${f.reason} (the retention sweep tries again)\n`);
        if (o.history && !history) process.stderr.write('history: no history store is configured, so there was none to delete\n');
        else if (r.history.deleted) out(`history deleted${r.history.attempts !== undefined ? `: ${r.history.attempts} attempts` : ''}`);
      });
    });

  cmd
    .command('purge')
    .description('delete the campaigns that finished or were cancelled more than --older-than ago (a dry run unless --yes)')
    .requiredOption('--older-than <age>', 'e.g. 30d, 12h, 2w (a bare number is days)')
    .option('--yes', 'delete them (without it: only list what would go)')
    .option('--history', 'also delete their history in the history store (PostgreSQL, when configured)')
    .option('--json', 'print one JSON object')
    .action(async (o: { olderThan: string; yes?: boolean; history?: boolean; json?: boolean }) => {
      const { parseAge } = await import('../campaign/retention/age.js');
      const olderThanMs = parseAge(o.olderThan, '--older-than');
      await withService(config, async (svc) => {
        const { purgeCampaigns } = await import('../campaign/retention/purge-campaigns.js');
        const history = o.history && o.yes ? await historyFor(config) : undefined;
        const { recordingSourcesFrom } = await import('../ops/recording-sources.js');
        const r = await purgeCampaigns(svc, { olderThanMs, dryRun: o.yes !== true, history, measure: true, recordings: recordingSourcesFrom(config) }).finally(
          () => history?.close(),
        );
        if (o.json) return out(JSON.stringify(r));
        const verb = r.dryRun ? 'would delete' : 'deleted';
        for (const c of r.deleted)
          out(
            `${verb}\t${c.id}\t${c.state} ${c.endedAt}\t${c.redisKeys} keys, ${c.redisBytes} bytes${c.recordingsDeleted || c.recordingsFailed ? `, recordings ${c.recordingsDeleted ?? 0} deleted ${c.recordingsFailed ?? 0} left for the sweep` : ''}\t${c.name}`,
          );
        for (const c of r.skipped) out(`skipped\t${c.id}\t${c.state} ${c.endedAt}\t${c.reason}\t${c.name}`);
        const bytes = r.deleted.reduce((a, c) => a + (c.redisBytes ?? 0), 0);
        process.stderr.write(
          `${verb} ${r.deleted.length} campaign(s) that ended before ${r.cutoff} (${bytes} bytes of Redis), skipped ${r.skipped.length}` +
            `${r.dryRun && r.deleted.length ? '; run again with --yes to delete them' : ''}\n`,
        );
      });
    });
}

/** The PostgreSQL history when DATABASE_URL is set (closed by the caller). */
async function historyFor(config: DialerConfig): Promise<(DeletableHistory & { close(): Promise<void> }) | undefined> {
  if (!config.databaseUrl) return undefined;
  const { openHistory } = await import('../store/history/open-history.js');
  return openHistory({ url: config.databaseUrl });
}
