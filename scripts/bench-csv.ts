/**
 * Contacts import benchmark: writes a CSV of N rows (1,000,000 by default) to a temp file, reads it back through
 * readContactsInBatches as a campaign import does, and reports throughput and peak memory. Memory belongs here and
 * not in a unit test: RSS depends on the machine and the GC, and a flaky memory assertion teaches people to ignore
 * failures.
 *
 *   npx tsx scripts/bench-csv.ts [--rows 1000000] [--batch 1000] [--json]
 *
 * Targets for 1,000,000 rows: under 60 s and under 300 MB peak RSS. Exits 1 when either is missed.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readContactsInBatches } from '../src/campaign/import/contacts.js';

const TARGET_SECONDS = 60;
const TARGET_RSS_MB = 300;

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    batch: { type: 'string', default: '1000' },
    json: { type: 'boolean', default: false },
  },
});
const rows = Number(values.rows);
const batchSize = Number(values.batch);
if (!Number.isSafeInteger(rows) || rows < 1 || !Number.isSafeInteger(batchSize) || batchSize < 1) {
  process.stderr.write('--rows and --batch must be positive integers\n');
  process.exit(2);
}

/** Rows like a real list: mixed number formats, a zone column, a quoted note with a comma now and then. */
async function writeCsv(file: string, count: number): Promise<void> {
  const out = createWriteStream(file);
  out.write('number,name,callerid,timezone,note\n');
  const zones = ['Europe/Berlin', 'Europe/Vienna', 'Europe/Zurich', ''];
  for (let i = 0; i < count; i++) {
    const digits = String(1_000_000 + i);
    const number = i % 3 === 0 ? `+49 30 ${digits}` : i % 3 === 1 ? `030-${digits}` : `(030) ${digits}`;
    const note = i % 10 === 0 ? '"called before, asked for ""evening"""' : `customer ${i}`;
    const line = `${number},Name ${i},${i % 5 === 0 ? '+4930999' : ''},${zones[i % 4]},${note}\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

const dir = await mkdtemp(join(tmpdir(), 'bench-csv-'));
try {
  const file = join(dir, 'contacts.csv');
  const writeStart = performance.now();
  await writeCsv(file, rows);
  const writeSeconds = (performance.now() - writeStart) / 1000;
  const bytes = (await stat(file)).size;

  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 25);
  let imported = 0;
  let rejected = 0;
  let batches = 0;
  const start = performance.now();
  for await (const batch of readContactsInBatches(createReadStream(file), { batchSize })) {
    batches++;
    for (const item of batch) {
      if (item.kind === 'row') imported++;
      else rejected++;
    }
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }
  const seconds = (performance.now() - start) / 1000;
  clearInterval(sampler);

  const result = {
    rows,
    imported,
    rejected,
    batches,
    file_mb: round(bytes / 1e6, 1),
    write_seconds: round(writeSeconds, 2),
    seconds: round(seconds, 2),
    rows_per_s: Math.round(rows / seconds),
    peak_rss_mb: round(peakRss / 2 ** 20, 1),
    // The kernel's high-water mark for the whole process, generation included: the figure nothing can miss.
    max_rss_mb: round(process.resourceUsage().maxRSS / 1024, 1),
    node: process.version,
    ok: seconds < TARGET_SECONDS && peakRss / 2 ** 20 < TARGET_RSS_MB && imported === rows,
  };
  if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    process.stdout.write(
      [
        `imported ${result.imported} of ${rows} rows (${result.rejected} rejected) from ${result.file_mb} MB in ${batches} batches`,
        `${result.seconds} s, ${result.rows_per_s.toLocaleString('en-US')} rows/s (target < ${TARGET_SECONDS} s)`,
        `peak RSS ${result.peak_rss_mb} MB while importing, ${result.max_rss_mb} MB max for the process (target < ${TARGET_RSS_MB} MB)`,
        result.ok ? 'ok' : 'MISSED TARGET',
      ].join('\n') + '\n',
    );
  }
  if (!result.ok) process.exitCode = 1;
} finally {
  await rm(dir, { recursive: true, force: true });
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
