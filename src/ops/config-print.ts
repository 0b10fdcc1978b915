import type { AriTarget, DialerConfig } from './config.js';
import { ConfigError } from '../errors.js';
import { SETTINGS } from './settings.js';
import { maskRedisUrl } from '../store/redis-url.js';

/** One line of `ari-dialer config print`: a setting, its value (secrets masked) and where it came from. */
export interface ConfigLine {
  name: string;
  value: unknown;
  /** `default`, `file dialer.yaml`, `env ARI_URL` or `flag --channel-cap`. */
  source: string;
}

const MASK = '********';

/** Credentials inside a URL (`redis://:pw@host`, `http://user:pw@host`) are masked, the rest is kept. */
export function maskUrl(url: string): string {
  return maskRedisUrl(url, MASK);
}

/** The effective configuration with every secret masked: safe to paste into a ticket. */
export function describeConfig(config: Readonly<DialerConfig>): ConfigLine[] {
  const lines: ConfigLine[] = SETTINGS.map((spec) => {
    const raw = config[spec.name];
    const source = config.sources[spec.name];
    const where = source === 'flag' ? `flag ${spec.flag}` : source === 'env' ? `env ${spec.env}` : source === 'file' ? `file ${config.configFile}` : 'default';
    let value: unknown = raw;
    if (typeof raw === 'string' && (spec.kind === 'url' || spec.kind === 'redis-url')) value = maskUrl(raw);
    else if (spec.secret && raw !== undefined && raw !== '') value = MASK;
    return { name: spec.name, value: value ?? null, source: where };
  });
  lines.push({
    name: 'asterisks',
    value: config.asterisks.map((a) => ({
      name: a.name,
      url: maskUrl(a.url),
      ...(a.user !== undefined ? { user: a.user } : {}),
      ...(a.password !== undefined ? { password: MASK } : {}),
      ...(a.channelCap !== undefined ? { channelCap: a.channelCap } : {}),
    })),
    source: config.asterisks.length ? `file ${config.configFile}` : 'default',
  });
  lines.push({
    name: 'trunks',
    value: config.trunks.map((t) => ({ ...t })),
    source: config.trunks.length ? `file ${config.configFile}` : 'default',
  });
  lines.push({
    name: 'dashboardTokens',
    value: config.dashboardTokens.map((t) => ({ name: t.name, role: t.role, ...(t.token !== undefined ? { token: MASK } : { sha256: t.sha256 }) })),
    source: config.dashboardTokens.length ? `file ${config.configFile}` : 'default',
  });
  return lines;
}

/** Aligned text: `name  value  (source)`, one setting per line, servers indented below `asterisks`. */
export function renderConfig(lines: readonly ConfigLine[]): string {
  const width = Math.max(...lines.map((l) => l.name.length));
  const out: string[] = [];
  for (const l of lines) {
    if (Array.isArray(l.value)) {
      const unit = l.name === 'trunks' ? 'trunk' : l.name === 'dashboardTokens' ? 'token' : 'server';
      const count = l.value.length === 0 ? '(none)' : `${l.value.length} ${unit}${l.value.length === 1 ? '' : 's'}`;
      out.push(`${l.name.padEnd(width)}  ${count}  (${l.source})`);
      for (const a of l.value as Array<Record<string, unknown>>) {
        const rest = Object.entries(a)
          .filter(([k]) => k !== 'name')
          .map(([k, v]) => `${k}=${String(v)}`)
          .join(' ');
        out.push(`  - ${String(a.name)}: ${rest}`);
      }
      continue;
    }
    const shown = l.value === null ? '(not set)' : l.value === '' ? '(empty)' : typeof l.value === 'string' ? l.value : JSON.stringify(l.value);
    out.push(`${l.name.padEnd(width)}  ${shown}  (${l.source})`);
  }
  return `${out.join('\n')}\n`;
}

/** What a worker started with this configuration would connect to, in one line (or why it would refuse). */
export function describeTarget(target: AriTarget | Error): string {
  if (target instanceof ConfigError) return `a worker would not start: ${target.problems.join('; ')}`;
  if (target instanceof Error) return `a worker would not start: ${target.message}`;
  if (!target.url) return 'a worker would dial the built-in ARI simulator (no ARI_URL, no asterisks)';
  const name = target.name ? `${target.name}: ` : '';
  return `a worker would serve ${name}${maskUrl(target.url)} as user ${target.user}, at most ${target.channelCap} channels`;
}
