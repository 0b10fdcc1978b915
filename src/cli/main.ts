import { normalizeNoPressFlag } from './message-flags.js';
import { Command, CommanderError } from 'commander';
import { loadConfig, type DialerConfig } from '../ops/config.js';
import { DialerError } from '../errors.js';
import { campaignCommand } from './campaign.js';
import { configCommand } from './config-cmd.js';
import { demoCommand } from './demo.js';
import { doctorCommand } from './doctor.js';
import { EXIT } from './exit-codes.js';
import { simCommand } from './sim.js';
import { suppressCommand } from './suppress.js';
import { workerCommand } from './worker.js';
import { serveCommand } from './serve.js';
import { dbCommand } from './db.js';
import { auditCommand, CliAudit } from './audit.js';

/** `ari-dialer <command>`: every command is a thin layer over the library. Returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'dial') return (await import('./dial.js')).runDialCli(argv.slice(1));
  let config: DialerConfig;
  try {
    config = loadConfig(process.env, { file: configFileArg(argv) });
  } catch (err) {
    process.stderr.write(`ari-dialer: ${(err as Error).message}\n`);
    return EXIT.USAGE;
  }
  let code: number = EXIT.OK;
  const program = new Command('ari-dialer')
    .description('Outbound call runner for Asterisk over ARI')
    .option('--config <file>', 'config file (.json, .yaml): flags > environment > file > defaults (env DIALER_CONFIG)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  program.command('dial').description('place one call: dial ENDPOINT CALLERID CONTEXT EXTENSION PRIORITY TIMEOUT (see dial -h)');
  const audit = new CliAudit(config);
  audit.attach(program, () => code);
  program.addCommand(campaignCommand(config, (c) => (code = c), audit));
  program.addCommand(suppressCommand(config, (c) => (code = c)));
  program.addCommand(workerCommand(config, (c) => (code = c)));
  program.addCommand(simCommand());
  program.addCommand(serveCommand(config, (c) => (code = c)));
  program.addCommand(demoCommand(config));
  program.addCommand(configCommand(config));
  program.addCommand(doctorCommand(config, (c) => (code = c)));
  program.addCommand(dbCommand(config));
  program.addCommand(auditCommand(config));
  try {
    await program.parseAsync(normalizeNoPressFlag(argv), { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    await audit.finish(err instanceof DialerError && ['BAD_ARGUMENT', 'BAD_CSV', 'NOT_FOUND'].includes(err.code) ? 'refused' : 'failed', err);
    if (err instanceof DialerError) {
      process.stderr.write(`ari-dialer: ${err.message}\n`);
      return err.code === 'BAD_ARGUMENT' || err.code === 'BAD_CSV' || err.code === 'BAD_CONFIG'
        ? EXIT.USAGE
        : err.code === 'NOT_FOUND'
          ? EXIT.NOT_ANSWERED
          : EXIT.ERROR;
    }
    process.stderr.write(`ari-dialer: ${(err as Error).stack ?? String(err)}\n`);
    return EXIT.ERROR;
  }
}

/** `--config FILE` (or `--config=FILE`) anywhere on the line: the file is read before any command runs. */
export function configFileArg(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a === '--config') return argv[i + 1];
    if (a.startsWith('--config=')) return a.slice('--config='.length);
  }
  return undefined;
}
