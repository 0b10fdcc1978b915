import { parseAmdOptions, type AmdOptions } from '../dialer/amd/amd-options.js';
import { parseCapture } from '../dialer/capture.js';
import { parseMessageOptions, type MessageInput, type MessageOptions } from '../dialer/message/message-options.js';
import { endpointShapeProblem } from '../dialer/endpoint-shape.js';
import { BadArgumentError } from '../errors.js';
import type { CallingWindow } from './calling-window.js';
import { parseCallingWindow } from './calling-window.js';
import { CALLER_ID_MATCHES, type CallerIdMatch } from './caller-id.js';
import { scheduleProblems } from './schedule.js';
import { fillPlaceholders, placeholderValueProblem } from './endpoint-placeholders.js';
import { DEFAULT_RETRY_POLICY, parseRetryPolicy, type RetryPolicy } from './retry-policy.js';
import { parseRecordSetting, RECORD_SETTING_KEYS, type CampaignRecording } from './record-settings.js';

/** Where a campaign's results are POSTed, signed, at most `ratePerSecond`, each tried up to `attempts` times. */
export interface WebhookSettings {
  url: string;
  secret?: string;
  ratePerSecond: number;
  attempts: number;
}

/** How a campaign dials. Stored with the campaign; every worker reads the same. */
export interface CampaignSettings {
  /** Endpoint template; `{number}` and any CSV column in braces are filled per row. e.g. `PJSIP/{number}@trunk`. */
  endpoint: string;
  /** Fixed caller id; outranks a `callerid` column; a pool is used when neither is given (see caller-id.ts). */
  callerId?: string;
  callerIdPool?: string[];
  /**
   * How a pool entry is picked: `local` (local presence: longest shared leading digits with the callee, ties
   * rotate) or `rotate`. @defaultValue 'local'
   */
  callerIdMatch?: CallerIdMatch;
  /** Dial nothing before this (ISO time with zone). Editable until the campaign ends (CampaignService.schedule). */
  startAt?: string;
  /** Dial nothing from this time on; numbers not yet done end CANCELLED "campaign ended at …". */
  endAt?: string;
  context: string;
  extension: string;
  priority: number;
  /** Originate timeout in seconds. */
  timeoutS: number;
  /** Calls per second across all workers. */
  cps: number;
  /** Channels in flight across all workers. */
  maxConcurrent: number;
  retry: RetryPolicy;
  window?: CallingWindow;
  /** Hang up answered calls after this many seconds. */
  maxCallS?: number;
  webhook?: WebhookSettings;
  /** Names of the Asterisk servers (config file `asterisks`) whose workers may dial it; absent = any worker. */
  asterisks?: string[];
  /**
   * Most CSV columns that may become channel variables (every column but number, callerid, context, extension,
   * priority, timeout and timezone). Each is sent with every originate; a file with more is rejected as a whole.
   * @defaultValue 64 ({@link DEFAULT_MAX_CHANNEL_VARS})
   */
  maxChannelVars: number;
  /**
   * Answering machine detection: every answered call goes through Asterisk's AMD() first (docs/amd-and-messages.md, "Answering machine
   * detection"). `true` from the CLI or the API means the defaults. @defaultValue none
   */
  amd?: AmdOptions;
  /**
   * Campaigns whose list is in PostgreSQL: most dial jobs kept ready in Redis (the hopper), 1 to 10,000.
   * @defaultValue max(2 × maxConcurrent, 60 × cps), at most 10,000 (see hopperSizeFor)
   */
  hopperSize?: number;
  /** The CSV column holding the numbers when it is not named `number` or `phone` (e.g. `mobile_nr`). */
  numberColumn?: string;
  /**
   * Whether the file's `context`, `extension`, `priority` and `callerid` columns may override the settings above
   * for their row (each cell checked). Off, a file with one of these columns is refused naming it. @defaultValue false
   */
  allowRowOverrides?: boolean;
  /** A message played in Stasis once answered, with press-1 rules (docs/after-answer.md). */
  message?: MessageOptions;
  /** Dialplan variables whose last value goes into each result's `captured` (at most 16). */
  capture?: string[];
  /**
   * Record every call on Asterisk (docs/recordings.md): from the answer or the originate, in a format Asterisk
   * writes, after an optional notice, kept `keepDays`. @defaultValue none
   */
  record?: CampaignRecording;
}

/** Enough for any CRM export we have seen; far below what would make each originate a large request. */
export const DEFAULT_MAX_CHANNEL_VARS = 64;
/** Upper bound of the setting: past this an originate carries more variables than a dial plan can sensibly use. */
export const MAX_CHANNEL_VARS_LIMIT = 1000;

export const DEFAULT_SETTINGS: Omit<CampaignSettings, 'endpoint'> = {
  context: 'default',
  extension: 's',
  priority: 1,
  timeoutS: 30,
  cps: 5,
  maxConcurrent: 20,
  retry: DEFAULT_RETRY_POLICY,
  maxChannelVars: DEFAULT_MAX_CHANNEL_VARS,
};

/**
 * Checks settings from the CLI, the HTTP API or Redis (all `unknown` until here). Collects every problem,
 * naming each field, then throws once.
 */
export function parseSettings(input: unknown): CampaignSettings {
  if (typeof input !== 'object' || input === null) throw new BadArgumentError('settings', 'must be an object');
  const o = input as Record<string, unknown>;
  const problems: string[] = [];
  const known = new Set([
    'endpoint',
    'callerId',
    'callerIdPool',
    'callerIdMatch',
    'startAt',
    'endAt',
    'context',
    'extension',
    'priority',
    'timeoutS',
    'cps',
    'maxConcurrent',
    'retry',
    'window',
    'maxCallS',
    'webhook',
    'asterisks',
    'maxChannelVars',
    'amd',
    'hopperSize',
    'numberColumn',
    'allowRowOverrides',
    'message',
    'capture',
    ...RECORD_SETTING_KEYS,
  ]);
  for (const k of Object.keys(o)) if (!known.has(k)) problems.push(`${k}: unknown setting`);

  const str = (k: string, dflt?: string): string | undefined => {
    const v = o[k] ?? dflt;
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v.trim() === '') problems.push(`${k}: must be a non-empty string`);
    return typeof v === 'string' ? v.trim() : undefined;
  };
  const num = (k: string, dflt: number | undefined, min: number, max: number, integer = true): number | undefined => {
    const raw = o[k] ?? dflt;
    if (raw === undefined) return undefined;
    const v = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
    if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v)) || v < min || v > max) {
      problems.push(`${k}: must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, got ${JSON.stringify(raw)}`);
      return undefined;
    }
    return v;
  };

  const endpoint = str('endpoint');
  if (endpoint === undefined) problems.push('endpoint: required (e.g. "PJSIP/{number}@trunk")');
  else {
    const shape = endpointShapeProblem(endpoint);
    if (shape !== undefined) problems.push(`endpoint: ${shape}`);
  }
  const pool = o.callerIdPool;
  if (pool !== undefined && (!Array.isArray(pool) || pool.some((x) => typeof x !== 'string' || !x)))
    problems.push('callerIdPool: must be a list of caller ids');

  const settings: CampaignSettings = {
    endpoint: endpoint ?? '',
    callerId: str('callerId'),
    callerIdPool: Array.isArray(pool) && pool.length ? (pool as string[]) : undefined,
    context: str('context', DEFAULT_SETTINGS.context) ?? DEFAULT_SETTINGS.context,
    extension: str('extension', DEFAULT_SETTINGS.extension) ?? DEFAULT_SETTINGS.extension,
    priority: num('priority', DEFAULT_SETTINGS.priority, 1, 1_000_000) ?? DEFAULT_SETTINGS.priority,
    timeoutS: num('timeoutS', DEFAULT_SETTINGS.timeoutS, 1, 600) ?? DEFAULT_SETTINGS.timeoutS,
    cps: num('cps', DEFAULT_SETTINGS.cps, 0.01, 1000, false) ?? DEFAULT_SETTINGS.cps,
    maxConcurrent: num('maxConcurrent', DEFAULT_SETTINGS.maxConcurrent, 1, 100_000) ?? DEFAULT_SETTINGS.maxConcurrent,
    retry: DEFAULT_RETRY_POLICY,
    maxCallS: num('maxCallS', undefined, 1, 86_400),
    hopperSize: num('hopperSize', undefined, 1, 10_000),
    maxChannelVars: num('maxChannelVars', DEFAULT_SETTINGS.maxChannelVars, 0, MAX_CHANNEL_VARS_LIMIT) ?? DEFAULT_SETTINGS.maxChannelVars,
  };
  try {
    if (o.retry !== undefined) settings.retry = parseRetryPolicy(o.retry);
  } catch (e) {
    problems.push((e as Error).message);
  }
  try {
    if (o.window !== undefined && o.window !== null && o.window !== '') settings.window = parseCallingWindow(o.window);
  } catch (e) {
    problems.push((e as Error).message);
  }
  const match = o.callerIdMatch;
  if (match !== undefined && match !== null) {
    if (typeof match === 'string' && (CALLER_ID_MATCHES as readonly string[]).includes(match)) settings.callerIdMatch = match as CallerIdMatch;
    else problems.push(`callerIdMatch: must be one of ${CALLER_ID_MATCHES.join(', ')}, got ${JSON.stringify(match)}`);
  }
  const numberColumn = str('numberColumn');
  if (numberColumn !== undefined && numberColumn.length > 200) problems.push('numberColumn: at most 200 characters');
  else if (numberColumn) settings.numberColumn = numberColumn;
  const overrides = o.allowRowOverrides;
  if (overrides === true || overrides === 'true' || overrides === '1') settings.allowRowOverrides = true;
  else if (overrides !== undefined && overrides !== null && overrides !== false && overrides !== 'false' && overrides !== '0' && overrides !== '') {
    problems.push(`allowRowOverrides: must be true or false, got ${JSON.stringify(overrides)}`);
  }
  for (const k of ['startAt', 'endAt'] as const) {
    const v = o[k];
    if (v === undefined || v === null || v === '') continue;
    if (typeof v !== 'string') problems.push(`${k}: must be an ISO time with a zone, e.g. 2026-12-01T09:00:00+01:00`);
    else settings[k] = v.trim();
  }
  problems.push(...scheduleProblems(settings));
  if (o.webhook !== undefined && o.webhook !== null) {
    const w = o.webhook as Record<string, unknown>;
    const url = typeof o.webhook === 'string' ? o.webhook : w.url;
    if (typeof url !== 'string' || !/^https?:\/\//.test(url)) problems.push('webhook.url: must be an http(s) URL');
    else {
      const rate = typeof o.webhook === 'object' ? Number(w.ratePerSecond ?? 20) : 20;
      const attempts = typeof o.webhook === 'object' ? Number(w.attempts ?? 12) : 12;
      if (!(rate > 0 && rate <= 10_000)) problems.push('webhook.ratePerSecond: must be from 0 to 10000');
      if (!(Number.isInteger(attempts) && attempts >= 1 && attempts <= 100)) problems.push('webhook.attempts: must be a whole number from 1 to 100');
      const secret = typeof o.webhook === 'object' && typeof w.secret === 'string' ? w.secret : undefined;
      settings.webhook = { url, secret, ratePerSecond: rate, attempts };
    }
  }
  if (o.amd !== undefined && o.amd !== null && o.amd !== false) {
    try {
      settings.amd = parseAmdOptions(o.amd);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  afterAnswerSettings(o, settings, problems);
  const record = parseRecordSetting(o, problems);
  if (record) settings.record = record;
  if (o.asterisks !== undefined && o.asterisks !== null) {
    const list =
      typeof o.asterisks === 'string'
        ? o.asterisks
            .split(',')
            .map((x) => x.trim())
            .filter(Boolean)
        : o.asterisks;
    if (!Array.isArray(list) || !list.length || list.some((x) => typeof x !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(x))) {
      problems.push('asterisks: must be a list of Asterisk server names (letters, digits, _ . -)');
    } else settings.asterisks = list as string[];
  }
  if (problems.length) throw new BadArgumentError('settings', problems.join('; '));
  return settings;
}

/**
 * Fills `{number}` and `{column}` placeholders. An unknown placeholder, or a value that could change the destination
 * (anything but letters, digits and `_ . + -`), is an error naming the placeholder: the import rejects such rows, and
 * job data read back from Redis is checked again here before it becomes a dial string.
 */
export function renderEndpoint(template: string, number: string, vars: Record<string, string>): string {
  return fillPlaceholders(template, (name) => {
    const v = name === 'number' ? number : (vars[name] ?? vars[name.toLowerCase()] ?? vars[name.toUpperCase()]);
    if (v === undefined) throw new BadArgumentError('endpoint', `placeholder {${name}} has no column of that name`);
    const problem = placeholderValueProblem(v);
    if (problem !== undefined) throw new BadArgumentError('endpoint', `placeholder {${name}}: ${problem}`);
    return v;
  });
}

/** `message` (the MessageOptions shape, or the flags' raw form) and `capture`; a problem names the field. */
function afterAnswerSettings(o: Record<string, unknown>, settings: CampaignSettings, problems: string[]): void {
  if (o.message !== undefined && o.message !== null && o.message !== false) {
    try {
      const m = parseMessageOptions(messageInputOf(o.message));
      if (m) settings.message = m;
      if (m?.machineMessage && !settings.amd) problems.push('message.machineMessage: needs amd');
      if (m?.machineMessage && settings.amd?.onMachine.action === 'continue')
        problems.push('message.machineMessage: leaves the message itself; amd.onMachine must then be hangup');
    } catch (e) {
      problems.push(`message: ${(e as Error).message}`);
    }
  }
  if (o.capture !== undefined && o.capture !== null) {
    try {
      const names = parseCapture(o.capture, 'capture');
      if (names.length) settings.capture = names;
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
}

/** Stored settings hold checked MessageOptions (press as an object of actions): read back as the same input. */
export function messageInputOf(v: unknown): MessageInput {
  if (typeof v !== 'object' || v === null) return { media: v };
  const m = v as Record<string, unknown>;
  const noPress = m.noPress as { do?: string; place?: { context: string; extension: string; priority: number } } | string | undefined;
  return {
    ...m,
    noPress:
      typeof noPress === 'object' && noPress !== null
        ? noPress.do === 'continue' && noPress.place
          ? `${noPress.place.context},${noPress.place.extension},${noPress.place.priority}`
          : noPress.do
        : noPress,
  };
}
