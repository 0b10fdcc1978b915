import { Command, Option } from 'commander';
import { applyFlags, ariTarget, type AriTarget, type ConfigFlags, type DialerConfig, type SettingName } from '../ops/config.js';
import { describeConfig, describeTarget, renderConfig } from '../ops/config-print.js';
import { SETTINGS, settingSpec } from '../ops/settings.js';

/**
 * Adds the command-line flags of `names` (from the settings catalogue) to a command, so every command spells a
 * setting's flag the same way and `loadConfig` gets to check its value (naming the flag when it is bad).
 */
export function withSettingFlags(cmd: Command, names: readonly SettingName[]): Command {
  for (const name of names) {
    const spec = settingSpec(name);
    if (!spec.flag) continue;
    const env = spec.env ? ` (env ${spec.env})` : '';
    cmd.addOption(new Option(spec.kind === 'bool' ? spec.flag : `${spec.flag} <value>`, `${spec.help}${env}`));
  }
  return cmd;
}

/** The flags among `names` that the user gave, by setting name. */
export function settingFlags(cmd: Command, names: readonly SettingName[]): ConfigFlags {
  const opts = cmd.opts<Record<string, string | boolean | undefined>>();
  const out: ConfigFlags = {};
  for (const name of names) {
    const spec = settingSpec(name);
    if (!spec.flag) continue;
    const attr = new Option(spec.flag).attributeName();
    if (opts[attr] !== undefined) out[name] = opts[attr];
  }
  return out;
}

/** `config` applied with the command's own setting flags on top. */
export function configWithFlags(config: Readonly<DialerConfig>, cmd: Command, names: readonly SettingName[]): Readonly<DialerConfig> {
  return applyFlags(config, settingFlags(cmd, names));
}

const ALL = SETTINGS.map((s) => s.name);

/** `ari-dialer config print`: the effective configuration, secrets masked, and where each value came from. */
export function configCommand(config: Readonly<DialerConfig>): Command {
  const print = withSettingFlags(
    new Command('print')
      .description('show the effective configuration (flags > environment > config file > defaults), secrets masked')
      .option('--json', 'one JSON object: { settings: [{ name, value, source }] }'),
    ALL,
  ).action((o: { json?: boolean }, cmd: Command) => {
    const effective = configWithFlags(config, cmd, ALL);
    const lines = describeConfig(effective);
    let target: AriTarget | Error;
    try {
      target = ariTarget(effective);
    } catch (err) {
      target = err as Error;
    }
    const serves = describeTarget(target);
    process.stdout.write(
      o.json
        ? `${JSON.stringify({ configFile: effective.configFile ?? null, settings: lines, worker: serves }, null, 2)}\n`
        : `${renderConfig(lines)}\n${serves}\n`,
    );
  });
  return new Command('config').description('inspect the configuration').addCommand(print);
}
