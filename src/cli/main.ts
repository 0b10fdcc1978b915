import { Command, CommanderError } from 'commander';
import { loadConfig, type DialerConfig } from '../config.js';
import { DialerError } from '../errors.js';
import { campaignCommand } from './campaign.js';
import { demoCommand } from './demo.js';
import { runDialCli } from './dial.js';
import { EXIT } from './exit-codes.js';
import { simCommand } from './sim.js';
import { workerCommand } from './worker.js';
import { serveCommand } from './serve.js';

/** `ari-dialer <command>`: every command is a thin layer over the library. Returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'dial') return runDialCli(argv.slice(1));
  let config: DialerConfig;
  try {
    config = loadConfig();
  } catch (err) {
    process.stderr.write(`ari-dialer: ${(err as Error).message}\n`);
    return EXIT.USAGE;
  }
  let code: number = EXIT.OK;
  const program = new Command('ari-dialer')
    .description('Outbound call runner for Asterisk over ARI')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  program.command('dial').description('place one call: dial ENDPOINT CALLERID CONTEXT EXTENSION PRIORITY TIMEOUT (see dial -h)');
  program.addCommand(campaignCommand(config, (c) => (code = c)));
  program.addCommand(workerCommand(config));
  program.addCommand(simCommand());
  program.addCommand(serveCommand(config));
  program.addCommand(demoCommand(config));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    if (err instanceof DialerError) {
      process.stderr.write(`ari-dialer: ${err.message}\n`);
      return err.code === 'BAD_ARGUMENT' || err.code === 'BAD_CSV' ? EXIT.USAGE : err.code === 'NOT_FOUND' ? EXIT.NOT_ANSWERED : EXIT.ERROR;
    }
    process.stderr.write(`ari-dialer: ${(err as Error).stack ?? String(err)}\n`);
    return EXIT.ERROR;
  }
}

