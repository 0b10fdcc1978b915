import { createReadStream, createWriteStream, existsSync, readFileSync } from 'node:fs';
import type { CliAudit } from './audit.js';
import { basename } from 'node:path';
import { Command } from 'commander';
import type { CampaignService, CampaignStatus } from '../campaign/campaign-service.js';
import { notFedYet } from '../campaign/campaign-reads.js';
import { normalizeNumber } from '../campaign/import/phone-number.js';
import { DEFAULT_MAX_CHANNEL_VARS } from '../policy/campaign-settings.js';
import { CALLER_ID_MATCHES, parseCallerIdPool } from '../policy/caller-id.js';
import { parseScheduleTime, scheduleProblems } from '../policy/schedule.js';
import { numberCells } from '../campaign/suppression-list.js';
import type { DialerConfig } from '../ops/config.js';
import { BadArgumentError } from '../errors.js';
import type { ReportFormat } from '../report/write-report.js';
import { addAmdFlags, amdFromFlags } from './amd-flags.js';
import { addMessageFlags, captureFromFlags, checkMachineMessage, messageFromFlags } from './message-flags.js';
import { addRecordFlags, recordFromFlags } from './record-flags.js';
import { addRecordingsCommand } from './campaign-recordings.js';
import { addRetentionCommands } from './campaign-retention.js';
import { EXIT } from './exit-codes.js';
import { ProgressBar } from './progress-bar.js';

/** Past this many rows, a list kept in Redis costs ~1 GB there: `campaign create` says so. */
const BIG_LIST_ROWS = 1_000_000;
/** Measured by npm run bench (history-bench: BullMQ job, wait list and dedupe set of a number not yet dialed). */
const REDIS_BYTES_PER_WAITING_NUMBER = 874;

type Out = (s: string) => void;
const out: Out = (s) => process.stdout.write(`${s}\n`);

async function withService<T>(config: DialerConfig, fn: (svc: CampaignService) => Promise<T>): Promise<T> {
  // Loaded on use: `ari-dialer --help` needs neither BullMQ nor a Redis client.
  const [{ redisForCli }, { CampaignService }] = await Promise.all([import('./redis-for-cli.js'), import('../campaign/campaign-service.js')]);
  const redis = await redisForCli(config.redisUrl);
  const history = config.databaseUrl
    ? await (await import('../store/history/open-history.js')).openHistory({ url: config.databaseUrl }).catch((err) => {
        redis.disconnect();
        throw err;
      })
    : undefined;
  const svc = new CampaignService({
    redis,
    prefix: config.prefix,
    history,
    webhookAllowHosts: config.webhookAllowHosts,
    allowedDestinations: config.allowedDestinations,
    blockedDestinations: config.blockedDestinations,
  });
  try {
    return await fn(svc);
  } finally {
    await svc.close();
    await history?.close();
    redis.disconnect();
  }
}

/** `ari-dialer campaign ...`: thin over CampaignService; every command takes the campaign id. */
export function campaignCommand(config: DialerConfig, setExit: (code: number) => void, audit?: CliAudit): Command {
  const cmd = new Command('campaign').description('create, watch and steer campaigns (stored in Redis)');

  const create = cmd
    .command('create')
    .description('upload a CSV of numbers as a new campaign')
    .requiredOption('--csv <file>', 'CSV with a header row and a number (or phone) column')
    .requiredOption('--endpoint <template>', "endpoint template, e.g. 'PJSIP/{number}@trunk' or 'SIP/trunk/{number}'")
    .option('--name <name>', 'campaign name (default: the file name)')
    .option('--callerid <id>', 'fixed caller id for every call (outranks a callerid column)')
    .option('--callerid-pool <ids|file>', 'caller ids to pick from: comma-separated, or a file with one per line')
    .option('--callerid-match <how>', "pick from the pool by 'local' presence (longest shared prefix with the callee, ties rotate) or 'rotate'", 'local')
    .option('--context <context>', 'dialplan context answered calls go to', 'default')
    .option('--extension <exten>', 'extension', 's')
    .option('--priority <n>', 'priority', '1')
    .option('--timeout <s>', 'originate (ring) timeout in seconds', '30')
    .option('--cps <n>', 'calls per second across all workers', '5')
    .option('--max-concurrent <n>', 'channels in flight across all workers', '20')
    .option('--retry <policy>', "retry policy, e.g. 'busy=2@5m,no_answer=1@10m,congestion=3@1m'")
    .option('--window <window>', "calling window, e.g. 'mon-fri 09:00-20:00 Europe/Berlin'")
    .option('--max-call <s>', 'hang up answered calls after this many seconds')
    .option('--start-at <time>', 'dial nothing before this ISO time with zone, e.g. 2026-12-01T09:00:00+01:00')
    .option('--end-at <time>', 'stop dialing at this ISO time with zone; numbers not yet done end CANCELLED')
    .option('--webhook <url>', 'POST each final result here')
    .option('--webhook-rate <n>', 'webhook deliveries per second', '20')
    .option('--max-channel-vars <n>', 'most CSV columns that may become channel variables (a file with more is rejected)', String(DEFAULT_MAX_CHANNEL_VARS))
    .option('--asterisks <names>', 'comma-separated Asterisk servers (config file `asterisks`) allowed to dial it; default any')
    .option('--suppress <file>', 'do-not-call list: one number per line (or a CSV whose first column is the number)')
    .option('--allow-row-overrides', "let the file's context, extension, priority and callerid columns override these settings per row (each cell checked)")
    .option('--skip-invalid', 'accept the good rows, list the bad ones (default: one bad row rejects the upload)')
    .option('--rejected-file <file>', 'with --skip-invalid, write rejected rows here (line,reason)')
    .option('--preview', 'validate and count only; create nothing')
    .option('--json', 'print one JSON object')
    .option('--wait', 'show progress until the campaign is finished')
    .option('--record-keep-days <n>', 'with --record: delete recordings of calls older than this many days from Asterisk (hourly)');
  addRecordFlags(addMessageFlags(addAmdFlags(create))).action(async (o: Record<string, string | boolean | undefined>) => {
    const file = String(o.csv);
    if (!existsSync(file)) throw new BadArgumentError('--csv', `no such file: ${file}`);
    const settings: Record<string, unknown> = {
      endpoint: o.endpoint,
      context: o.context,
      extension: o.extension,
      priority: o.priority,
      timeoutS: o.timeout,
      cps: o.cps,
      maxConcurrent: o.maxConcurrent,
      maxChannelVars: o.maxChannelVars,
    };
    if (o.callerid) settings.callerId = o.callerid;
    if (o.allowRowOverrides) settings.allowRowOverrides = true;
    if (o.calleridPool) settings.callerIdPool = readCallerIdPool(String(o.calleridPool));
    if (o.calleridMatch) settings.callerIdMatch = oneOfFlag('--callerid-match', String(o.calleridMatch), CALLER_ID_MATCHES);
    if (o.startAt) settings.startAt = parseScheduleTime(o.startAt, '--start-at');
    if (o.endAt) settings.endAt = parseScheduleTime(o.endAt, '--end-at');
    const order = scheduleProblems(
      { startAt: settings.startAt as string | undefined, endAt: settings.endAt as string | undefined },
      { startAt: '--start-at', endAt: '--end-at' },
    );
    if (order.length) throw new BadArgumentError('--end-at', order.join('; ').replace(/^--end-at: /, ''));
    if (o.retry) settings.retry = o.retry;
    if (o.window) settings.window = o.window;
    if (o.maxCall) settings.maxCallS = o.maxCall;
    if (o.asterisks) settings.asterisks = o.asterisks;
    const amd = amdFromFlags(o);
    if (amd) settings.amd = amd;
    const message = messageFromFlags(o);
    if (message) settings.message = message;
    checkMachineMessage(message, amd);
    const capture = captureFromFlags(o);
    if (capture) settings.capture = capture;
    const record = recordFromFlags(o);
    if (record) settings.record = record;
    if (o.recordKeepDays !== undefined) {
      if (!record) throw new BadArgumentError('--record-keep-days', 'needs --record');
      settings.recordKeepDays = o.recordKeepDays;
    }
    if (o.webhook) settings.webhook = { url: o.webhook, ratePerSecond: Number(o.webhookRate), secret: config.webhookSecret };
    const suppression = o.suppress ? readSuppression(String(o.suppress)) : undefined;
    const bar = new ProgressBar();
    const rejectedOut = rejectedRowsFile(o.rejectedFile ? String(o.rejectedFile) : undefined);
    await withService(config, async (svc) => {
      let warned = false;
      const input = {
        name: String(o.name ?? basename(file).replace(/\.[^.]+$/, '')),
        settings,
        open: () => createReadStream(file),
        skipInvalid: o.skipInvalid === true,
        suppression,
        onProgress: (phase: string, c: { rows: number; accepted: number }) => {
          bar.update(phase === 'validate' ? 'checking ' : 'enqueuing', c.rows, Math.max(c.rows, 1));
          if (!warned && !svc.contacts && c.rows > BIG_LIST_ROWS) {
            warned = true;
            process.stderr.write(
              `\nwarning: over ${BIG_LIST_ROWS.toLocaleString('en')} rows without PostgreSQL: every number waits in Redis as a job (~${REDIS_BYTES_PER_WAITING_NUMBER} bytes each); set DATABASE_URL to keep the list in PostgreSQL behind a small hopper\n`,
            );
          }
        },
        onRejected: rejectedOut.write,
      };
      if (o.preview) {
        const c = await svc.preview(input);
        bar.done();
        if (o.json) out(JSON.stringify(c));
        else out(`${c.accepted} to dial, ${c.suppressed} suppressed, ${c.duplicates} duplicates, ${c.rejected} rejected`);
        printErrors(c.errors, c.rejected);
        setExit(c.rejected && !o.skipInvalid ? EXIT.USAGE : EXIT.OK);
        return;
      }
      const r = await svc.create(input);
      if (r.id) audit?.noteCampaign(r.id);
      bar.done();
      rejectedOut.end();
      if (o.json)
        out(
          JSON.stringify({
            id: r.id ?? null,
            created: r.created,
            rows: r.rows,
            accepted: r.accepted,
            rejected: r.rejected,
            suppressed: r.suppressed,
            duplicates: r.duplicates,
            errors: r.errors.slice(0, 100),
          }),
        );
      else if (r.created) out(r.id!);
      if (!r.created) {
        process.stderr.write(`upload rejected: ${r.rejected} bad row(s); nothing was enqueued (use --skip-invalid to take the good rows)\n`);
        printErrors(r.errors, r.rejected);
        setExit(EXIT.USAGE);
        return;
      }
      if (!o.json) process.stderr.write(`${r.accepted} to dial, ${r.suppressed} suppressed, ${r.duplicates} duplicates, ${r.rejected} rejected\n`);
      if (o.wait) await waitFor(svc, r.id!, !o.json);
    });
  });

  cmd
    .command('add <id>')
    .description('add the numbers of a CSV to a campaign (running, paused or waiting; a finished one runs again)')
    .requiredOption('--csv <file>', 'CSV with a header row and a number (or phone) column, as for create')
    .option('--suppress <file>', 'do-not-call list: one number per line (or a CSV whose first column is the number)')
    .option('--skip-invalid', 'accept the good rows, list the bad ones (default: one bad row rejects the file)')
    .option('--rejected-file <file>', 'with --skip-invalid, write rejected rows here (line,reason)')
    .option('--json', 'print one JSON object')
    .action(async (id: string, o: { csv: string; suppress?: string; skipInvalid?: boolean; rejectedFile?: string; json?: boolean }) => {
      if (!existsSync(o.csv)) throw new BadArgumentError('--csv', `no such file: ${o.csv}`);
      const rejectedOut = rejectedRowsFile(o.rejectedFile);
      await withService(config, async (svc) => {
        const r = await svc.add(id, {
          open: () => createReadStream(o.csv),
          skipInvalid: o.skipInvalid === true,
          ...(o.suppress ? { suppression: readSuppression(o.suppress) } : {}),
          onRejected: rejectedOut.write,
        });
        rejectedOut.end();
        if (o.json) out(JSON.stringify({ ...r, errors: r.errors.slice(0, 100) }));
        else if (r.stored) out(`${r.accepted} added, ${r.suppressed} suppressed, ${r.duplicates} duplicates, ${r.rejected} rejected`);
        if (!r.stored) {
          process.stderr.write(`file rejected: ${r.rejected} bad row(s); nothing was added (use --skip-invalid to take the good rows)\n`);
          printErrors(r.errors, r.rejected);
          setExit(EXIT.USAGE);
        }
      });
    });

  cmd
    .command('status <id>')
    .description("a campaign's state and counters")
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      await withService(config, async (svc) => {
        const s = await svc.status(id);
        out(o.json ? JSON.stringify(s) : describe(s));
      });
    });

  cmd
    .command('list')
    .description('all campaigns, newest first')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      await withService(config, async (svc) => {
        const all = await svc.list();
        if (o.json) out(JSON.stringify(all));
        else for (const s of all) out(`${s.id}\t${s.state}\t${s.counters.done}/${s.counters.total}\t${s.name}`);
      });
    });

  for (const [verb, what] of [
    ['pause', 'stop new calls now; calls in flight finish'],
    ['resume', 'continue a paused campaign'],
    ['cancel', 'stop for good; numbers never dialed become CANCELLED'],
  ] as const) {
    cmd
      .command(`${verb} <id>`)
      .description(what)
      .action(async (id: string) => {
        await withService(config, async (svc) => {
          const meta = await svc[verb](id);
          out(`${meta.id} ${meta.state}`);
        });
      });
  }

  cmd
    .command('schedule <id>')
    .description("set or change a waiting campaign's start and end (ISO times with a zone; 'none' clears one)")
    .option('--start-at <time>', 'dial nothing before this, e.g. 2026-12-01T09:00:00+01:00')
    .option('--end-at <time>', 'stop dialing at this; numbers not yet done end CANCELLED')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { startAt?: string; endAt?: string; json?: boolean }) => {
      if (o.startAt === undefined && o.endAt === undefined) throw new BadArgumentError('schedule', 'give --start-at and/or --end-at');
      const change: { startAt?: string | null; endAt?: string | null } = {};
      if (o.startAt !== undefined) change.startAt = o.startAt === 'none' ? null : parseScheduleTime(o.startAt, '--start-at');
      if (o.endAt !== undefined) change.endAt = o.endAt === 'none' ? null : parseScheduleTime(o.endAt, '--end-at');
      await withService(config, async (svc) => {
        const meta = await svc.schedule(id, change);
        out(
          o.json
            ? JSON.stringify({ id: meta.id, startAt: meta.settings.startAt ?? null, endAt: meta.settings.endAt ?? null })
            : `${meta.id} starts ${meta.settings.startAt ?? 'now'}, ends ${meta.settings.endAt ?? 'never'}`,
        );
      });
    });

  cmd
    .command('wait <id>')
    .description('show progress until the campaign is finished (exit 0)')
    .action(async (id: string) => {
      await withService(config, (svc) => waitFor(svc, id, true));
    });

  cmd
    .command('report <id>')
    .description('one final row per number (plus every attempt with --attempts) and a summary')
    .option('--format <format>', 'csv, json or ndjson', 'csv')
    .option('--attempts', 'every attempt instead of one final row per number')
    .option('--out <file>', 'write to a file instead of stdout')
    .action(async (id: string, o: { format: string; attempts?: boolean; out?: string }) => {
      if (!['csv', 'json', 'ndjson'].includes(o.format)) throw new BadArgumentError('--format', `must be csv, json or ndjson, got ${JSON.stringify(o.format)}`);
      await withService(config, async (svc) => {
        await svc.get(id);
        const sink = o.out ? createWriteStream(o.out) : process.stdout;
        const { writeReport } = await import('../report/write-report.js');
        await writeReport(svc, id, { format: o.format as ReportFormat, attempts: o.attempts === true }, sink);
        if (o.out) await new Promise<void>((r) => (sink as NodeJS.WritableStream).end(r));
      });
    });

  addRetentionCommands(cmd, config, withService);
  addRecordingsCommand(cmd, config, withService, setExit);
  return cmd;
}

async function waitFor(svc: CampaignService, id: string, showBar: boolean): Promise<void> {
  const bar = new ProgressBar();
  for (;;) {
    const s = await svc.status(id);
    if (showBar) bar.update(s.state.padEnd(9), s.counters.done, s.counters.total, `in flight ${s.counters.inflight}`);
    if (s.state === 'finished' || s.state === 'cancelled') break;
    await new Promise((r) => setTimeout(r, 250));
  }
  bar.done();
  if (showBar) process.stderr.write(`${describe(await svc.status(id))}\n`);
}

function describe(s: CampaignStatus): string {
  const c = s.counters;
  const finals = Object.entries(c.final)
    .map(([k, v]) => `${k.toLowerCase()} ${v}`)
    .join(', ');
  const inList = notFedYet(s);
  return [
    `${s.id} (${s.name}): ${s.state}${s.paused ? ` by its ${s.paused.by === 'breaker' ? 'circuit breaker' : 'operator'} at ${s.paused.at}: ${s.paused.reason}` : ''}`,
    `  numbers ${c.total}, done ${c.done}, in flight ${c.inflight}, attempts ${c.attempts}`,
    `  final: ${finals || '-'}`,
    `  imported: rejected ${c.rejected}, suppressed ${c.suppressed}, duplicates ${c.duplicates}`,
    `  queue: ${inList !== undefined ? `in the list (PostgreSQL) ${inList}, ` : ''}waiting ${s.queue.waiting}, active ${s.queue.active}, delayed ${s.queue.delayed}, paused ${s.queue.paused}, failed ${s.queue.failed}`,
    ...(s.settings.startAt || s.settings.endAt ? [`  schedule: starts ${s.settings.startAt ?? 'at once'}, ends ${s.settings.endAt ?? 'never'}`] : []),
    ...(s.holdingBack.length
      ? [`  held back by: ${s.holdingBack.map((h) => `${h.reason} (${h.detail}${h.waitMs ? `, waited ${(h.waitMs / 1000).toFixed(1)} s` : ''})`).join('; ')}`]
      : s.state === 'running'
        ? ['  held back by: nothing']
        : []),
    ...(s.settings.webhook ? [`  webhook: delivered ${c.webhookDelivered}, failed ${c.webhookFailed}`] : []),
  ].join('\n');
}

function printErrors(errors: Array<{ line: number; reason: string }>, total: number): void {
  for (const e of errors.slice(0, 50)) process.stderr.write(`  line ${e.line}: ${e.reason}\n`);
  if (total > 50) process.stderr.write(`  ... and ${total - 50} more\n`);
}

/** `--callerid-pool`: a file of caller ids when one by that name exists, else a comma-separated list. */
function readCallerIdPool(value: string): string[] {
  if (existsSync(value)) return parseCallerIdPool(readFileSync(value, 'utf8'), `--callerid-pool ${value}`);
  const list = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!list.length) throw new BadArgumentError('--callerid-pool', 'give caller ids separated by commas, or a file with one per line');
  return list;
}

function oneOfFlag<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new BadArgumentError(flag, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
}

/** --rejected-file of `create` and `add`: the rows an import rejected, as CSV (line,reason); nothing without one. */
function rejectedRowsFile(path: string | undefined): { write: (e: { line: number; reason: string }) => void; end: () => void } {
  const out = path ? createWriteStream(path) : undefined;
  out?.write('line,reason\n');
  return {
    write: (e) => out?.write(`${e.line},"${e.reason.replace(/"/g, '""')}"\n`),
    end: () => out?.end(),
  };
}

function readSuppression(file: string): Set<string> {
  if (!existsSync(file)) throw new BadArgumentError('--suppress', `no such file: ${file}`);
  const set = new Set<string>();
  for (const cell of numberCells(readFileSync(file, 'utf8'))) {
    const n = normalizeNumber(cell);
    if (n.ok) set.add(n.number);
  }
  return set;
}
