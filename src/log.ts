import { pino, destination, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/** Paths pino blanks out wherever they appear: secrets never reach a log line. */
export const REDACT_PATHS = [
  'password',
  '*.password',
  'ariPassword',
  '*.ariPassword',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'webhookSecret',
  '*.webhookSecret',
];

export interface LogOptions {
  /** @defaultValue process.env.LOG_LEVEL ?? 'info' */
  level?: string;
  /** Where lines go (tests capture them; `--log-pretty` passes src/ops/pretty-log.ts's). @defaultValue stderr */
  destination?: DestinationStream;
}

export function createLogger(options: LogOptions = {}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? 'info';
  const base = { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { pid: process.pid } };
  if (options.destination) return pino(base, options.destination);
  return pino(base, destination({ fd: 2, sync: false }));
}

/** A logger that drops everything: default for library use and quiet tests. */
export const silentLogger: Logger = pino({ level: 'silent' });
