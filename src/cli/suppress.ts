import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { numberCells, type SuppressionList } from '../campaign/suppression-list.js';
import type { DialerConfig } from '../ops/config.js';
import { BadArgumentError } from '../errors.js';
import { EXIT } from './exit-codes.js';

/** `ari-dialer suppress add|remove|check|count`: the do-not-call list every import checks. */
export function suppressCommand(config: DialerConfig, setExit: (code: number) => void): Command {
  const cmd = new Command('suppress').description('the do-not-call list kept in Redis (checked by every campaign import)');
  const withList = async <T>(fn: (list: SuppressionList) => Promise<T>): Promise<T> => {
    // Loaded on use: `ari-dialer --help` needs no Redis client.
    const [{ redisForCli }, { Keys }, { SuppressionList }] = await Promise.all([
      import('./redis-for-cli.js'),
      import('../store/keys.js'),
      import('../campaign/suppression-list.js'),
    ]);
    const redis = await redisForCli(config.redisUrl);
    try {
      return await fn(new SuppressionList(redis, new Keys(config.prefix)));
    } finally {
      redis.disconnect();
    }
  };
  const numbersFrom = (args: string[], file?: string): string[] => {
    const out = [...args];
    if (file) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        throw new BadArgumentError('--file', `cannot read ${file}`);
      }
      out.push(...numberCells(text));
    }
    return out;
  };
  cmd
    .command('add [numbers...]')
    .option('--file <file>', 'one number per line (or a CSV with the number first)')
    .description('never dial these numbers')
    .action(async (args: string[], o: { file?: string }) => {
      const r = await withList((l) => l.add(numbersFrom(args, o.file)));
      process.stdout.write(`${r.added} added\n`);
      for (const bad of r.invalid.slice(0, 20)) process.stderr.write(`  skipped ${JSON.stringify(bad.value)}: ${bad.reason}\n`);
    });
  cmd
    .command('remove [numbers...]')
    .option('--file <file>', 'one number per line')
    .description('allow these numbers again')
    .action(async (args: string[], o: { file?: string }) => {
      const n = await withList((l) => l.remove(numbersFrom(args, o.file)));
      process.stdout.write(`${n} removed\n`);
    });
  cmd
    .command('check <number>')
    .description('is this number on the list? (exit 0 yes, 1 no)')
    .action(async (number: string) => {
      const yes = await withList((l) => l.has(number));
      process.stdout.write(`${yes ? 'suppressed' : 'not suppressed'}\n`);
      if (!yes) setExit(EXIT.NOT_ANSWERED);
    });
  cmd
    .command('count')
    .description('how many numbers are on the list')
    .action(async () => {
      process.stdout.write(`${await withList((l) => l.count())}\n`);
    });
  return cmd;
}
