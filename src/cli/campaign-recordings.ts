import { createWriteStream, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import type { CampaignService } from '../campaign/campaign-service.js';
import { recordingFormat } from '../dialer/recording/recording-formats.js';
import { parseRecordingInfo, type RecordingInfo } from '../dialer/recording/recording-info.js';
import type { DialerConfig } from '../ops/config.js';
import { EXIT } from './exit-codes.js';
import { ProgressBar } from './progress-bar.js';

type WithService = <T>(config: DialerConfig, fn: (svc: CampaignService) => Promise<T>) => Promise<T>;

/** One recorded attempt to fetch. */
interface Wanted {
  number: string;
  attempt: number;
  rec: RecordingInfo;
}

/** A file name from the number and the attempt: `+4930123456_a2.wav` (anything but `+`, letters and digits becomes `_`). */
export const recordingFileName = (number: string, attempt: number, format: string): string =>
  `${number.replace(/[^A-Za-z0-9+]/g, '_')}_a${attempt}.${recordingFormat(format).ext}`;

/**
 * `campaign recordings ID --out DIR`: downloads every recording of a campaign from the Asterisk that holds it (the
 * config file's `asterisks`, or ARI_URL for `default`), one file per attempt named by number and attempt, with a
 * progress bar on stderr. A file already there is kept (a second run fetches only what is missing); one that fails
 * is named with the reason and the rest go on; exit code 3 when any failed.
 */
export function addRecordingsCommand(cmd: Command, config: DialerConfig, withService: WithService, setExit: (code: number) => void): void {
  cmd
    .command('recordings <id>')
    .description("download a campaign's call recordings from Asterisk into a folder, named by number and attempt")
    .requiredOption('--out <dir>', 'folder to write them into (created if missing)')
    .action(async (id: string, o: { out: string }) => {
      const { recordingSourcesFrom } = await import('../ops/recording-sources.js');
      const { openRecordingFile } = await import('../ari/recording-file.js');
      const sources = recordingSourcesFrom(config);
      await withService(config, async (svc) => {
        await svc.get(id);
        const wanted: Wanted[] = [];
        for await (const a of svc.attempts(id)) {
          const rec = parseRecordingInfo(a.recording);
          if (rec?.state === 'done') wanted.push({ number: a.number, attempt: a.attempt, rec });
        }
        mkdirSync(o.out, { recursive: true });
        const bar = new ProgressBar();
        let got = 0;
        let kept = 0;
        let bytes = 0;
        const failed: string[] = [];
        for (const [i, w] of wanted.entries()) {
          bar.update('downloading', i, wanted.length, `${(bytes / 1e6).toFixed(1)} MB`);
          const file = join(o.out, recordingFileName(w.number, w.attempt, w.rec.format));
          if (existsSync(file) && statSync(file).size > 0) {
            kept += 1;
            continue;
          }
          const src = sources(w.rec.asterisk);
          if (!src) {
            failed.push(`${w.number} attempt ${w.attempt}: Asterisk "${w.rec.asterisk}" is not in the config file's asterisks`);
            continue;
          }
          try {
            const f = await openRecordingFile(src, w.rec.name);
            // Written under a temporary name first: an interrupted download is never mistaken for a whole file.
            await pipeline(f.body, createWriteStream(`${file}.part`));
            renameSync(`${file}.part`, file);
            bytes += statSync(file).size;
            got += 1;
          } catch (err) {
            failed.push(`${w.number} attempt ${w.attempt} (${w.rec.name} on ${w.rec.asterisk}): ${(err as Error).message}`);
          }
        }
        bar.update('downloading', wanted.length, wanted.length, `${(bytes / 1e6).toFixed(1)} MB`);
        bar.done();
        for (const f of failed) process.stderr.write(`  not downloaded: ${f}\n`);
        process.stderr.write(
          `${got} recording(s) downloaded (${bytes} bytes) to ${o.out}, ${kept} already there, ${failed.length} failed, of ${wanted.length}\n`,
        );
        if (failed.length) setExit(EXIT.ERROR);
      });
    });
}
