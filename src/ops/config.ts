import { ConfigError } from '../errors.js';
import { readConfigFile } from './config-file.js';
import { checkAsteriskList, type AsteriskServer } from './asterisk-servers.js';
import { checkTrunkList } from './trunks.js';
import { checkDashboardTokenList, type DashboardTokenEntry } from './dashboard-token-list.js';
import type { Trunk } from '../campaign/pacing/trunk.js';
import { SETTINGS, type SettingName, type SettingSpec } from './settings.js';
import { redisUrlProblem } from '../store/redis-url.js';
import { AllowedHosts } from '../webhook/address-rules.js';
import { DestinationRules } from '../policy/destinations.js';

export type { AsteriskServer } from './asterisk-servers.js';
export type { SettingName } from './settings.js';
export type { Trunk } from '../campaign/pacing/trunk.js';
export type { DashboardTokenEntry } from './dashboard-token-list.js';

/** Where an effective value came from, weakest first. */
export type ConfigSource = 'default' | 'file' | 'env' | 'flag';

/**
 * Every setting, read in this one place (flags > environment > config file > default), checked together and
 * frozen. See `SETTINGS` in src/ops/settings.ts for each one's variable, flag and meaning.
 */
export interface DialerConfig {
  /** ARI base URL; undefined means "use the built-in simulator" (unless `asterisks` names servers). */
  ariUrl?: string;
  ariUser: string;
  ariPassword: string;
  ariApp?: string;
  /** Name of the `asterisks` entry this process serves (`--asterisk NAME`). */
  asterisk?: string;
  /** Asterisk servers known to this installation (config file only). */
  asterisks: readonly AsteriskServer[];
  /** Carrier trunks with limits shared by every campaign and worker (config file only). */
  trunks: readonly Trunk[];
  redisUrl?: string;
  /** PostgreSQL for call history; undefined: history stays in Redis (dial, the demo and a quick start need none). */
  databaseUrl?: string;
  /** Key prefix in Redis (hash-tagged for Redis Cluster). */
  prefix: string;
  dashboardHost: string;
  dashboardPort: number;
  /** Operator token; anyone holding it may change campaigns. */
  dashboardToken?: string;
  /** Viewer token: read-only access. */
  dashboardViewerToken?: string;
  /** Dashboard tokens by name (config file only), so the audit record says who acted. */
  dashboardTokens: readonly DashboardTokenEntry[];
  /** The URL users open behind a reverse proxy; its host is served and its origin trusted. */
  dashboardPublicUrl?: string;
  /** Express `trust proxy` for the dashboard (client address and HTTPS from X-Forwarded-*). */
  trustProxy?: string;
  /** Hosts or CIDRs webhooks may reach although they are inside (loopback, private, link-local). */
  webhookAllowHosts: readonly string[];
  /** Number prefixes that may be dialed; empty: any that is not blocked. */
  allowedDestinations: readonly string[];
  /** Number prefixes never dialed. */
  blockedDestinations: readonly string[];
  /** HMAC key for webhook signatures. */
  webhookSecret?: string;
  logLevel: string;
  /** Human-readable log lines instead of JSON. */
  logPretty: boolean;
  channelCap: number;
  /** Where `/metrics`, `/healthz` and `/readyz` listen. */
  metricsHost: string;
  /** Port for `/metrics`, `/healthz`, `/readyz`; undefined: not served. */
  metricsPort?: number;
  /** On SIGTERM, seconds calls in flight may go on before they are hung up. */
  shutdownGraceS: number;
  /** Circuit breaker: failures on our side in a row that open it. */
  breakerThreshold: number;
  /** Circuit breaker: trips in a row with Asterisk answering that pause the campaign. */
  breakerPauseAfterTrips: number;
  /** Days a finished or cancelled campaign stays in Redis before the retention sweep deletes it; 0: forever. */
  retentionDays: number;
  /** The config file read, if any. */
  configFile?: string;
  /** Where each setting's value came from (for `ari-dialer config print`). */
  sources: Readonly<Record<SettingName, ConfigSource>>;
}

/** Values given on the command line, by setting name (commander hands them over as strings or booleans). */
export type ConfigFlags = Partial<Record<SettingName, string | boolean | undefined>>;

export interface LoadConfigOptions {
  /** Config file (`--config`, else env `DIALER_CONFIG`): `.json`, `.yaml` or `.yml`. */
  file?: string;
  flags?: ConfigFlags;
}

interface Inputs {
  env: NodeJS.ProcessEnv;
  options: LoadConfigOptions;
}

const inputsOf = new WeakMap<object, Inputs>();

/**
 * Reads every setting from flags, the environment and a config file (in that order of precedence). An unknown key
 * in the file or a bad value anywhere is an error naming it; every problem is reported at once.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: LoadConfigOptions = {}): Readonly<DialerConfig> {
  const problems: string[] = [];
  const file = options.file ?? (env.DIALER_CONFIG || undefined);
  let fileValues: Record<string, unknown> = {};
  if (file) {
    try {
      fileValues = readConfigFile(
        file,
        SETTINGS.map((s) => s.name),
      );
    } catch (err) {
      if (err instanceof ConfigError) problems.push(...err.problems);
      else throw err;
    }
  }
  const values: Record<string, unknown> = {};
  const sources = {} as Record<SettingName, ConfigSource>;
  for (const spec of SETTINGS) {
    const flag = options.flags?.[spec.name];
    const fromEnv = spec.env ? env[spec.env] : undefined;
    const fromFile = fileValues[spec.name];
    let raw: unknown;
    let label: string;
    if (flag !== undefined && spec.flag) {
      [raw, label, sources[spec.name]] = [flag, spec.flag, 'flag'];
    } else if (fromEnv !== undefined && fromEnv !== '') {
      [raw, label, sources[spec.name]] = [fromEnv, spec.env!, 'env'];
    } else if (fromFile !== undefined && fromFile !== null) {
      [raw, label, sources[spec.name]] = [fromFile, `${file}: ${spec.name}`, 'file'];
    } else {
      sources[spec.name] = 'default';
      values[spec.name] = spec.default;
      continue;
    }
    const parsed = parseValue(spec, raw, label, problems);
    values[spec.name] = parsed ?? spec.default;
  }
  const asterisks = checkAsteriskList(fileValues.asterisks, file ?? 'config file', env, problems);
  values.asterisks = asterisks;
  values.trunks = checkTrunkList(fileValues.trunks, file ?? 'config file', problems);
  values.dashboardTokens = checkDashboardTokenList(fileValues.dashboardTokens, file ?? 'config file', problems);
  const asterisk = values.asterisk as string | undefined;
  if (asterisk !== undefined && !asterisks.some((a) => a.name === asterisk)) {
    problems.push(
      asterisks.length
        ? `asterisk: no server named ${JSON.stringify(asterisk)} in the config file (configured: ${asterisks.map((a) => a.name).join(', ')})`
        : `asterisk: ${JSON.stringify(asterisk)} names a server, but no config file lists any (add "asterisks" to --config FILE)`,
    );
  }
  try {
    new AllowedHosts(values.webhookAllowHosts as string[]);
  } catch (err) {
    problems.push((err as Error).message);
  }
  try {
    new DestinationRules(values.allowedDestinations as string[], values.blockedDestinations as string[]);
  } catch (err) {
    problems.push((err as Error).message);
  }
  if (values.dashboardViewerToken && !values.dashboardToken && !(values.dashboardTokens as DashboardTokenEntry[]).some((t) => t.role === 'operator')) {
    problems.push('DASHBOARD_VIEWER_TOKEN: needs DASHBOARD_TOKEN too (the operator token)');
  }
  if (problems.length) throw new ConfigError(problems);
  const config = { ...values, configFile: file, sources: Object.freeze(sources) } as unknown as DialerConfig;
  for (const a of asterisks) Object.freeze(a);
  Object.freeze(asterisks);
  for (const t of values.trunks as Trunk[]) Object.freeze(t);
  Object.freeze(values.trunks);
  for (const t of values.dashboardTokens as DashboardTokenEntry[]) Object.freeze(t);
  Object.freeze(values.dashboardTokens);
  const frozen = Object.freeze(config);
  inputsOf.set(frozen, { env, options: { ...options, file } });
  return frozen;
}

/** The same configuration with command-line flags on top (flags win over everything). */
export function applyFlags(config: Readonly<DialerConfig>, flags: ConfigFlags): Readonly<DialerConfig> {
  const defined = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)) as ConfigFlags;
  if (Object.keys(defined).length === 0) return config;
  const inputs = inputsOf.get(config);
  if (!inputs) throw new TypeError('applyFlags: config must come from loadConfig');
  return loadConfig(inputs.env, { ...inputs.options, flags: { ...inputs.options.flags, ...defined } });
}

/** What one worker process connects to: one Asterisk, by name from `asterisks` or from ARI_URL. */
export interface AriTarget {
  /** The `asterisks` entry's name; undefined for ARI_URL or the simulator. */
  name?: string;
  /** undefined: no Asterisk configured, use the built-in simulator. */
  url?: string;
  user: string;
  password: string;
  channelCap: number;
}

/**
 * Picks the Asterisk this process serves: the `asterisk` named (`--asterisk NAME`), else ARI_URL, else the only
 * listed server. A flag `--channel-cap` wins over the entry's own cap.
 */
export function ariTarget(config: Readonly<DialerConfig>): AriTarget {
  const base = { user: config.ariUser, password: config.ariPassword, channelCap: config.channelCap };
  const pick = (a: AsteriskServer): AriTarget => ({
    name: a.name,
    url: a.url,
    user: a.user ?? config.ariUser,
    password: a.password ?? config.ariPassword,
    channelCap: config.sources.channelCap === 'flag' ? config.channelCap : (a.channelCap ?? config.channelCap),
  });
  const named = config.asterisk ? config.asterisks.find((a) => a.name === config.asterisk) : undefined;
  if (named) return pick(named);
  if (config.ariUrl) return { ...base, url: config.ariUrl };
  const only = config.asterisks.length === 1 ? config.asterisks[0] : undefined;
  if (only) return pick(only);
  if (config.asterisks.length > 1) {
    throw new ConfigError([
      `asterisk: the config file lists ${config.asterisks.length} Asterisk servers (${config.asterisks.map((a) => a.name).join(', ')}); ` +
        'pick the one this process serves with --asterisk NAME (or env ASTERISK)',
    ]);
  }
  return base;
}

function parseValue(spec: SettingSpec, raw: unknown, label: string, problems: string[]): unknown {
  const bad = (what: string): undefined => {
    problems.push(`${label}: ${what}, got ${JSON.stringify(raw)}`);
    return undefined;
  };
  switch (spec.kind) {
    case 'string':
      if (typeof raw !== 'string' || raw === '') return bad('must be a non-empty string');
      return raw;
    case 'url': {
      if (typeof raw !== 'string') return bad('must be a URL string');
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        problems.push(`${label}: not a URL`);
        return undefined;
      }
      if (spec.protocols && !spec.protocols.includes(url.protocol)) {
        problems.push(`${label}: must start with ${spec.protocols.map((p) => `${p}//`).join(' or ')} (got ${url.protocol})`);
        return undefined;
      }
      return raw;
    }
    case 'redis-url': {
      if (typeof raw !== 'string') return bad('must be a URL string');
      const problem = redisUrlProblem(raw);
      if (problem) {
        problems.push(`${label}: ${problem}`);
        return undefined;
      }
      return raw;
    }
    case 'int': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : NaN;
      if (!Number.isInteger(n) || n < spec.min || n > spec.max) return bad(`must be a whole number from ${spec.min} to ${spec.max}`);
      return n;
    }
    case 'bool': {
      if (typeof raw === 'boolean') return raw;
      const s = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
      if (['1', 'true', 'yes', 'on'].includes(s)) return true;
      if (['0', 'false', 'no', 'off'].includes(s)) return false;
      return bad('must be true or false (or 1/0, yes/no)');
    }
    case 'list': {
      const items = typeof raw === 'string' ? raw.split(',') : Array.isArray(raw) ? raw : undefined;
      if (!items || items.some((x) => typeof x !== 'string')) return bad('must be a list of strings (comma-separated in the environment)');
      return Object.freeze((items as string[]).map((x) => x.trim()).filter((x) => x !== ''));
    }
    case 'enum':
      if (typeof raw !== 'string' || !spec.values.includes(raw)) return bad(`must be one of ${spec.values.join(', ')}`);
      return raw;
  }
}
