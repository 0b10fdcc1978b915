import { Command, CommanderError, Option } from 'commander';
import { checkEndpointShape } from '../dialer/endpoint-shape.js';
import { addAmdFlags, amdFromFlags } from './amd-flags.js';
import { addRecordFlags, normalizeRecordFlag, recordFromFlags } from './record-flags.js';
import { EXIT } from './exit-codes.js';
import { addMessageFlags, captureFromFlags, checkMachineMessage, messageFromFlags, normalizeNoPressFlag } from './message-flags.js';
import { parseIntArg } from './parse-args.js';
import { DestinationRules, endpointDestinationProblem } from '../policy/destinations.js';
import type { DialFlags, DialParams } from './dial-params.js';

/**
 * `dial ENDPOINT CALLERID CONTEXT EXTENSION PRIORITY TIMEOUT`: the seed script's interface, done right.
 * Prints one JSON result; returns the exit code (0 answered, 1 not answered, 2 usage, 3 error).
 */
export async function runDialCli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const program = new Command('dial')
    .description('Originate one call over ARI, send it to the dialplan when answered, print its result as JSON.')
    .argument('<endpoint>', 'Endpoint, e.g. SIP/operator/123456789 or PJSIP/1001')
    .argument('<callerid>', 'CallerID, e.g. 111111')
    .argument('<context>', 'Asterisk context to connect the call to, e.g. default')
    .argument('<extension>', "Context's extension, e.g. s")
    .argument('<priority>', "Context's priority, e.g. 1")
    .argument('<timeout>', 'Originate timeout in seconds, e.g. 60')
    .option('--url <url>', 'ARI base URL (env ARI_URL), e.g. http://127.0.0.1:8088/ari')
    .option('--user <user>', 'ARI user (env ARI_USER)')
    .addOption(new Option('--password <password>', 'ARI password (env ARI_PASSWORD; prefer the env var)'))
    .option('--app <name>', 'Stasis app name (env ARI_APP); unique per process')
    .option('--sim', 'run against an in-process ARI simulator')
    .option('--time-scale <x>', 'with the simulator: multiply ring and talk times (0.01 = 100x faster)', '1')
    .option('--max-call <seconds>', 'hang up after this many seconds of talk')
    .option('--pretty', 'indent the JSON output')
    .option('-v, --verbose', 'log to stderr');
  addMessageFlags(addRecordFlags(addAmdFlags(program)))
    // Extra arguments are reported by name below (commander would only count them).
    .allowExcessArguments(true)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  let positional: string[];
  let flags: DialFlags;
  try {
    program.parse(normalizeNoPressFlag(normalizeRecordFlag(argv)), { from: 'user' });
    positional = program.args;
    flags = program.opts<DialFlags>();
    if (positional.length > 6) {
      process.stderr.write(
        `dial: unexpected extra argument${positional.length > 7 ? 's' : ''} ${positional
          .slice(6)
          .map((a) => JSON.stringify(a))
          .join(' ')} (expected ENDPOINT CALLERID CONTEXT EXTENSION PRIORITY TIMEOUT)\n`,
      );
      return EXIT.USAGE;
    }
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    throw err;
  }

  let params: DialParams;
  try {
    const [endpoint, callerId, context, extension, priority, timeout] = positional as [string, string, string, string, string, string];
    params = {
      endpoint: checkEndpointShape('endpoint', endpoint),
      callerId,
      context,
      extension,
      priority: parseIntArg('priority', priority),
      timeoutS: parseIntArg('timeout', timeout, { max: 86_400 }),
      maxCallS: flags.maxCall !== undefined ? parseIntArg('--max-call', flags.maxCall) : undefined,
      amd: amdFromFlags(flags as unknown as Record<string, unknown>),
      record: recordFromFlags(flags as unknown as Record<string, unknown>),
      message: messageFromFlags(flags as unknown as Record<string, unknown>),
      capture: captureFromFlags(flags as unknown as Record<string, unknown>),
    };
    checkMachineMessage(params.message, params.amd);
    // The installation's toll-fraud lists bind a single call too (ALLOWED_DESTINATIONS, BLOCKED_DESTINATIONS).
    const refused = endpointDestinationProblem(new DestinationRules(listEnv(env.ALLOWED_DESTINATIONS), listEnv(env.BLOCKED_DESTINATIONS)), params.endpoint);
    if (refused !== undefined) throw new Error(`endpoint: ${refused}: not dialed`);
  } catch (err) {
    process.stderr.write(`dial: ${(err as Error).message}\n`);
    return EXIT.USAGE;
  }

  // The call itself (ARI client, simulator, logger) is loaded only now: `dial --help` and usage errors stay instant.
  const { placeCall } = await import('./dial-call.js');
  return placeCall(params, flags, env);
}

function listEnv(v: string | undefined): string[] {
  return (v ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
}
