/**
 * The catalogue of settings: one entry per setting, with its config-file key, environment variable, flag, type and
 * default. `loadConfig` reads them, `ari-dialer config print` lists them, docs/production.md describes them.
 */
export type SettingSpec = {
  /** Key in the config file and in `DialerConfig`. */
  readonly name: SettingName;
  readonly env?: string;
  /** Command-line flag, when there is one. Passwords and tokens have none: `ps` shows command lines to everyone. */
  readonly flag?: string;
  /** Never printed: masked by `config print`, redacted from logs. */
  readonly secret?: boolean;
  readonly default?: unknown;
  readonly help: string;
} & (
  | { readonly kind: 'string' }
  | { readonly kind: 'url'; readonly protocols?: readonly string[] }
  /** redis://, rediss:// or redis+sentinel:// (src/store/redis-url.ts). */
  | { readonly kind: 'redis-url' }
  | { readonly kind: 'int'; readonly min: number; readonly max: number }
  | { readonly kind: 'bool' }
  /** A YAML/JSON list of strings in the file; comma-separated in the environment and on the command line. */
  | { readonly kind: 'list' }
  | { readonly kind: 'enum'; readonly values: readonly string[] }
);

export type SettingName =
  | 'ariUrl'
  | 'ariUser'
  | 'ariPassword'
  | 'ariApp'
  | 'asterisk'
  | 'redisUrl'
  | 'databaseUrl'
  | 'prefix'
  | 'channelCap'
  | 'dashboardHost'
  | 'dashboardPort'
  | 'dashboardToken'
  | 'dashboardViewerToken'
  | 'dashboardPublicUrl'
  | 'trustProxy'
  | 'webhookAllowHosts'
  | 'allowedDestinations'
  | 'blockedDestinations'
  | 'webhookSecret'
  | 'logLevel'
  | 'logPretty'
  | 'metricsHost'
  | 'metricsPort'
  | 'shutdownGraceS'
  | 'breakerThreshold'
  | 'breakerPauseAfterTrips'
  | 'retentionDays';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const SETTINGS: readonly SettingSpec[] = [
  {
    name: 'ariUrl',
    env: 'ARI_URL',
    flag: '--ari-url',
    kind: 'url',
    protocols: ['http:', 'https:'],
    help: 'ARI base URL, with http.conf prefix if any (none: the built-in simulator)',
  },
  { name: 'ariUser', env: 'ARI_USER', flag: '--ari-user', kind: 'string', default: 'asterisk', help: 'ari.conf user' },
  { name: 'ariPassword', env: 'ARI_PASSWORD', kind: 'string', secret: true, default: '', help: 'ari.conf password' },
  { name: 'ariApp', env: 'ARI_APP', flag: '--app', kind: 'string', help: 'Stasis app name, unique per process (default ari-dialer-<host>-<pid>)' },
  { name: 'asterisk', env: 'ASTERISK', flag: '--asterisk', kind: 'string', help: 'which of the config file\'s "asterisks" this process serves' },
  {
    name: 'redisUrl',
    env: 'REDIS_URL',
    flag: '--redis-url',
    kind: 'redis-url',
    secret: true,
    help: 'Redis for queues and results (default redis://127.0.0.1:6379); redis+sentinel://host1:26379,host2:26379/masterName for Sentinel',
  },
  {
    name: 'databaseUrl',
    env: 'DATABASE_URL',
    kind: 'url',
    protocols: ['postgres:', 'postgresql:'],
    secret: true,
    help: 'PostgreSQL for call history (none: history stays in Redis); no flag: the URL may hold a password',
  },
  {
    name: 'prefix',
    env: 'DIALER_PREFIX',
    flag: '--prefix',
    kind: 'string',
    default: 'ari-dialer',
    help: 'Redis key prefix; without a {hash tag}, so each campaign gets a Redis Cluster slot of its own',
  },
  {
    name: 'channelCap',
    env: 'CHANNEL_CAP',
    flag: '--channel-cap',
    kind: 'int',
    min: 1,
    max: 100_000,
    default: 100,
    help: 'channels one worker may hold on its Asterisk',
  },
  { name: 'dashboardHost', env: 'DASHBOARD_HOST', flag: '--host', kind: 'string', default: '127.0.0.1', help: 'where serve listens' },
  { name: 'dashboardPort', env: 'DASHBOARD_PORT', flag: '--port', kind: 'int', min: 0, max: 65535, default: 8080, help: 'where serve listens' },
  { name: 'dashboardToken', env: 'DASHBOARD_TOKEN', kind: 'string', secret: true, help: 'dashboard operator token' },
  { name: 'dashboardViewerToken', env: 'DASHBOARD_VIEWER_TOKEN', kind: 'string', secret: true, help: 'dashboard read-only token' },
  {
    name: 'dashboardPublicUrl',
    env: 'DASHBOARD_PUBLIC_URL',
    flag: '--public-url',
    kind: 'url',
    protocols: ['http:', 'https:'],
    help: 'the URL users open behind a reverse proxy (https://dialer.example.com): its host is served and its origin trusted',
  },
  {
    name: 'trustProxy',
    env: 'TRUST_PROXY',
    flag: '--trust-proxy',
    kind: 'string',
    help: 'proxies whose X-Forwarded-For/-Proto the dashboard believes: "loopback", a hop count, or addresses/CIDRs, comma-separated (none: the socket address)',
  },
  {
    name: 'webhookAllowHosts',
    env: 'WEBHOOK_ALLOW_HOSTS',
    kind: 'list',
    default: [],
    help: 'hosts or CIDRs a webhook may reach although they are loopback, private or link-local (an in-house CRM), comma-separated',
  },
  {
    name: 'allowedDestinations',
    env: 'ALLOWED_DESTINATIONS',
    kind: 'list',
    default: [],
    help: 'number prefixes that may be dialed (none: any not blocked), comma-separated, e.g. +49,+33',
  },
  {
    name: 'blockedDestinations',
    env: 'BLOCKED_DESTINATIONS',
    kind: 'list',
    default: [],
    help: 'number prefixes never dialed (premium rate, e.g. +1900,+44909), comma-separated',
  },
  { name: 'webhookSecret', env: 'WEBHOOK_SECRET', kind: 'string', secret: true, help: 'HMAC key for webhook signatures' },
  { name: 'logLevel', env: 'LOG_LEVEL', flag: '--log-level', kind: 'enum', values: LOG_LEVELS, default: 'info', help: 'pino level' },
  { name: 'logPretty', env: 'LOG_PRETTY', flag: '--log-pretty', kind: 'bool', default: false, help: 'one human-readable line per log entry instead of JSON' },
  {
    name: 'metricsHost',
    env: 'METRICS_HOST',
    flag: '--metrics-host',
    kind: 'string',
    default: '127.0.0.1',
    help: 'where /metrics, /healthz and /readyz listen',
  },
  {
    name: 'metricsPort',
    env: 'METRICS_PORT',
    flag: '--metrics-port',
    kind: 'int',
    min: 0,
    max: 65535,
    help: 'port for /metrics, /healthz and /readyz (none: not served)',
  },
  {
    name: 'breakerThreshold',
    env: 'BREAKER_THRESHOLD',
    flag: '--breaker-threshold',
    kind: 'int',
    min: 1,
    max: 10_000,
    default: 10,
    help: 'failures on our side of the line in a row (refused originates, network causes) that stop a campaign in this worker until Asterisk is probed',
  },
  {
    name: 'breakerPauseAfterTrips',
    env: 'BREAKER_PAUSE_AFTER_TRIPS',
    flag: '--breaker-pause-after',
    kind: 'int',
    min: 1,
    max: 1000,
    default: 3,
    help: 'breaker trips in a row with Asterisk answering (dead trunk, bad endpoint) that pause the campaign with the reason',
  },
  {
    name: 'retentionDays',
    env: 'RETENTION_DAYS',
    flag: '--keep-days',
    kind: 'int',
    min: 0,
    max: 36_500,
    default: 30,
    help: 'workers and the dashboard delete from Redis the campaigns that ended more than this many days ago (0: keep forever)',
  },
  {
    name: 'shutdownGraceS',
    env: 'SHUTDOWN_GRACE_S',
    flag: '--grace',
    kind: 'int',
    min: 0,
    max: 86_400,
    default: 30,
    help: 'on SIGTERM, seconds calls in flight (worker) or requests under way (serve) may go on before being hung up or cut',
  },
];

export const settingSpec = (name: SettingName): SettingSpec => SETTINGS.find((s) => s.name === name)!;
