import { Command } from 'commander';
import type { DialerConfig, SettingName } from '../ops/config.js';
import { checkEndpointShape } from '../dialer/endpoint-shape.js';
import type { DoctorAriTarget } from '../ops/doctor.js';
import { configWithFlags, withSettingFlags } from './config-cmd.js';
import { EXIT } from './exit-codes.js';
import { parseIntArg } from './parse-args.js';

/** Exit code when a check failed (0: all passed, warnings allowed; 2: usage). */
export const DOCTOR_FAILED = 1;

const FLAGS: readonly SettingName[] = ['ariUrl', 'ariUser', 'ariApp', 'asterisk', 'redisUrl', 'prefix'];

interface DoctorFlags {
  json?: boolean;
  probe?: string;
  probeCallerid?: string;
  probeContext: string;
  probeExtension: string;
  probePriority: string;
  probeTimeout: string;
}

/** `ari-dialer doctor`: why calls would not flow, one ✓/✗ line per check with what to do. */
export function doctorCommand(config: Readonly<DialerConfig>, setExit: (code: number) => void): Command {
  const cmd = new Command('doctor')
    .description(
      'check ARI (URL, prefix, credentials, version, app name, WebSocket, clock), Redis (version, persistence, eviction) and optionally a test call; exit 0 when all pass',
    )
    .option('--json', 'one JSON object: { ok, checks: [{ id, title, status, detail, fix }] }')
    .option('--probe <endpoint>', 'place a test call to ENDPOINT (e.g. Local/s@default or PJSIP/1001) and report its outcome and cause')
    .option('--probe-callerid <id>', 'caller id of the test call')
    .option('--probe-context <context>', 'where the answered test call is sent', 'default')
    .option('--probe-extension <exten>', 'extension the answered test call is sent to', 's')
    .option('--probe-priority <n>', 'priority the answered test call is sent to', '1')
    .option('--probe-timeout <s>', 'seconds the test call may ring', '15');
  return withSettingFlags(cmd, FLAGS).action(async (o: DoctorFlags, self: Command) => {
    const cfg = configWithFlags(config, self, FLAGS);
    const probe = o.probe
      ? {
          endpoint: checkEndpointShape('--probe', o.probe),
          callerId: o.probeCallerid,
          context: o.probeContext,
          extension: o.probeExtension,
          priority: parseIntArg('--probe-priority', o.probePriority),
          timeoutS: parseIntArg('--probe-timeout', o.probeTimeout, { max: 600 }),
        }
      : undefined;
    const [{ runDoctor }, { renderDoctor }] = await Promise.all([import('../ops/doctor.js'), import('../ops/render-doctor.js')]);
    const report = await runDoctor({
      asterisks: doctorTargets(cfg),
      app: cfg.ariApp,
      redisUrl: cfg.redisUrl,
      databaseUrl: cfg.databaseUrl,
      prefix: cfg.prefix,
      probe,
    });
    process.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : renderDoctor(report));
    setExit(report.ok ? EXIT.OK : DOCTOR_FAILED);
  });
}

/** The server `--asterisk` names, else ARI_URL, else every server the config file lists. */
export function doctorTargets(cfg: Readonly<DialerConfig>): DoctorAriTarget[] {
  const fromList = (a: DialerConfig['asterisks'][number]): DoctorAriTarget => ({
    name: a.name,
    url: a.url,
    user: a.user ?? cfg.ariUser,
    password: a.password ?? cfg.ariPassword,
  });
  if (cfg.asterisk) return cfg.asterisks.filter((a) => a.name === cfg.asterisk).map(fromList);
  if (cfg.ariUrl) return [{ url: cfg.ariUrl, user: cfg.ariUser, password: cfg.ariPassword }];
  return cfg.asterisks.map(fromList);
}
