import type { DestinationStream } from 'pino';
import { createLogger, type Logger } from '../log.js';

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** Shown first, in this order, when present: what an operator scans a call's lines by. */
const FIRST = ['campaignId', 'jobId', 'channelId'];
const HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname']);

/**
 * One pino JSON line → one human line: `12:00:01.234 INFO  attempt ended campaignId=… jobId=… channelId=… cause=16`.
 * Times are UTC, like the JSON's. A line that is not pino JSON passes through unchanged. pino-pretty is not a dependency: this is all we need.
 */
export function formatLogLine(line: string, color = false): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  if (typeof entry !== 'object' || entry === null) return line;
  const time = typeof entry.time === 'number' ? new Date(entry.time).toISOString().slice(11, 23) : '';
  const level = LEVELS[entry.level as number] ?? (typeof entry.level === 'string' ? entry.level : '');
  const keys = [...FIRST.filter((k) => k in entry), ...Object.keys(entry).filter((k) => !HIDDEN.has(k) && !FIRST.includes(k))];
  const fields = keys.map((k) => `${k}=${show(entry[k])}`);
  const lvl = color ? paint(level) : level.padEnd(5);
  return `${[time, lvl, typeof entry.msg === 'string' ? entry.msg : '', ...fields].filter((s) => s !== '').join(' ')}\n`;
}

function show(v: unknown): string {
  if (typeof v === 'string') return /[\s"=]/.test(v) || v === '' ? JSON.stringify(v) : v;
  if (typeof v === 'object' && v !== null && 'message' in v && 'stack' in v) {
    // Serialized errors: the message inline, the stack on its own lines below.
    const e = v;
    return `${JSON.stringify(e.message)}\n${String(e.stack).replace(/^/gm, '    ')}`;
  }
  return JSON.stringify(v);
}

function paint(level: string): string {
  const code = level === 'ERROR' || level === 'FATAL' ? 31 : level === 'WARN' ? 33 : level === 'INFO' ? 32 : 90;
  return `\u001b[${code}m${level.padEnd(5)}\u001b[0m`;
}

/** A pino destination writing human lines to `out` (stderr by default), coloured when it is a terminal. */
export function prettyDestination(out: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr): DestinationStream {
  const color = out.isTTY === true && !process.env.NO_COLOR;
  return {
    write(chunk: string) {
      for (const line of chunk.split('\n')) if (line) out.write(formatLogLine(line, color));
    },
  };
}

/** The CLI's logger: JSON on stderr, or human lines with `--log-pretty` / LOG_PRETTY; level from LOG_LEVEL. */
export function cliLogger(config: { logLevel: string; logPretty: boolean }): Logger {
  return createLogger({ level: config.logLevel, ...(config.logPretty ? { destination: prettyDestination() } : {}) });
}
