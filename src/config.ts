import { ConfigError } from './errors.js';

/** Settings from the environment, read in this one place, checked together and frozen. */
export interface DialerConfig {
  /** ARI base URL; undefined means "use the built-in simulator". */
  ariUrl?: string;
  ariUser: string;
  ariPassword: string;
  ariApp?: string;
  redisUrl?: string;
  /** Key prefix in Redis (hash-tagged for Redis Cluster). */
  prefix: string;
  dashboardHost: string;
  dashboardPort: number;
  /** Operator token; anyone holding it may change campaigns. */
  dashboardToken?: string;
  /** Viewer token: read-only access. */
  dashboardViewerToken?: string;
  logLevel: string;
  channelCap: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<DialerConfig> {
  const problems: string[] = [];
  const int = (name: string, dflt: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return dflt;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name}: must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
      return dflt;
    }
    return n;
  };
  const url = (name: string): string | undefined => {
    const raw = env[name];
    if (!raw) return undefined;
    try {
      new URL(raw);
    } catch {
      problems.push(`${name}: not a URL`);
    }
    return raw;
  };
  const level = env.LOG_LEVEL ?? 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(level)) {
    problems.push(`LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent (got ${JSON.stringify(level)})`);
  }
  const config: DialerConfig = {
    ariUrl: url('ARI_URL'),
    ariUser: env.ARI_USER ?? 'asterisk',
    ariPassword: env.ARI_PASSWORD ?? '',
    ariApp: env.ARI_APP || undefined,
    redisUrl: url('REDIS_URL'),
    prefix: env.DIALER_PREFIX || '{ari-dialer}',
    dashboardHost: env.DASHBOARD_HOST || '127.0.0.1',
    dashboardPort: int('DASHBOARD_PORT', 8080, 0, 65535),
    dashboardToken: env.DASHBOARD_TOKEN || undefined,
    dashboardViewerToken: env.DASHBOARD_VIEWER_TOKEN || undefined,
    logLevel: level,
    channelCap: int('CHANNEL_CAP', 100, 1, 100_000),
  };
  if (problems.length) throw new ConfigError(problems);
  return Object.freeze(config);
}
