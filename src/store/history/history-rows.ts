import type { AttemptRecord } from '../../report/attempt-record.js';
import { HISTORY_COLUMN_FIELDS } from '../../report/result-fields.js';

/**
 * One entry of the Redis outbox (written by the campaign store's Lua scripts, drained by the archiver).
 * `k`: `a` an attempt (a call was placed), `f` a final result without a call. `w`: the worker that held the call.
 * `fs`: 1 when Redis took this record as the number's final result (the first final wins, in both stores).
 */
export interface OutboxEntry {
  k: 'a' | 'f';
  w?: string;
  fs?: 1;
  r: AttemptRecord;
}

/** An outbox entry as read back from Redis: `unknown` until checked, undefined when it is not one. */
export function asOutboxEntry(raw: string): OutboxEntry | undefined {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!isObject(v) || (v.k !== 'a' && v.k !== 'f')) return undefined;
  const r = asAttemptRecord(v.r);
  if (!r || (v.k === 'a' && !r.channel_id)) return undefined;
  return { k: v.k, ...(typeof v.w === 'string' && v.w ? { w: v.w } : {}), ...(v.fs === 1 ? { fs: 1 } : {}), r };
}

/** A record read from storage (Redis or PostgreSQL's `record` column): checked for what reports rely on. */
export function asAttemptRecord(v: unknown): AttemptRecord | undefined {
  if (!isObject(v)) return undefined;
  if (typeof v.campaignId !== 'string' || typeof v.number !== 'string' || typeof v.disposition !== 'string') return undefined;
  if (typeof v.channel_id !== 'string' || typeof v.attempt !== 'number' || typeof v.row !== 'number') return undefined;
  return v as unknown as AttemptRecord;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An ISO time PostgreSQL will take, or null: one bad value must not wedge a whole batch forever. */
const time = (s: unknown): string | null => (typeof s === 'string' && s && !Number.isNaN(Date.parse(s)) ? s : null);
const num = (n: unknown): number => (typeof n === 'number' && Number.isFinite(n) ? n : 0);
const intOrNull = (n: unknown): number | null => (typeof n === 'number' && Number.isInteger(n) && Math.abs(n) < 2 ** 31 ? n : null);
const strOrNull = (s: unknown): string | null => (typeof s === 'string' ? s : null);

/** The `attempts` row of an entry, in the shape `jsonb_to_recordset` reads (see ATTEMPT_COLUMNS). */
export function attemptRow(e: OutboxEntry): Record<string, unknown> {
  const r = e.r;
  return {
    channel_id: r.channel_id,
    campaign_id: r.campaignId,
    number: r.number,
    row: intOrNull(r.row) ?? 0,
    attempt: intOrNull(r.attempt) ?? 0,
    final: r.final === true,
    worker: e.w ?? null,
    status: String(r.status),
    disposition: r.disposition,
    answered: r.answered === true,
    cause: intOrNull(r.cause) ?? 0,
    cause_txt: String(r.cause_txt ?? ''),
    tech_cause: intOrNull(r.tech_cause),
    dialstatus: strOrNull(r.dialstatus),
    message: String(r.message ?? ''),
    endpoint: String(r.endpoint ?? ''),
    callerid: String(r.callerid ?? ''),
    created_at: time(r.created_at),
    answered_at: time(r.answered_at),
    ended_at: time(r.ended_at),
    ring_s: num(r.ring_s),
    talk_s: num(r.talk_s),
    duration: num(r.duration),
    retry_in_s: intOrNull(r.retry_in_s),
    reason: strOrNull(r.reason),
    error_code: strOrNull(r.error_code),
    vars: r.vars ?? null,
    ...afterAnswerColumns(r),
    record: r,
  };
}

/** The typed columns result-fields.ts lists (after the answer), each null when the record has no such value. */
function afterAnswerColumns(r: AttemptRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of HISTORY_COLUMN_FIELDS) {
    const v = (r as unknown as Record<string, unknown>)[f.name];
    const type = f.pg!.type;
    out[f.name] =
      type === 'text'
        ? strOrNull(v)
        : type === 'boolean'
          ? typeof v === 'boolean'
            ? v
            : null
          : type === 'jsonb'
            ? typeof v === 'object' && v !== null
              ? v
              : null
            : typeof v === 'number' && Number.isFinite(v)
              ? v
              : null;
  }
  return out;
}

export const ATTEMPT_COLUMNS =
  'channel_id text, campaign_id text, number text, row integer, attempt integer, final boolean, worker text, status text, ' +
  'disposition text, answered boolean, cause integer, cause_txt text, tech_cause integer, dialstatus text, message text, ' +
  'endpoint text, callerid text, created_at timestamptz, answered_at timestamptz, ended_at timestamptz, ' +
  'ring_s double precision, talk_s double precision, duration double precision, retry_in_s integer, reason text, ' +
  `error_code text, vars jsonb, ${HISTORY_COLUMN_FIELDS.map((f) => `${f.name} ${f.pg!.type}`).join(', ')}, record jsonb`;

/** The `finals` row of an entry Redis took as the number's final result. */
export function finalRow(e: OutboxEntry): Record<string, unknown> {
  const r = e.r;
  return {
    campaign_id: r.campaignId,
    number: r.number,
    channel_id: r.channel_id,
    row: intOrNull(r.row) ?? 0,
    attempt: intOrNull(r.attempt) ?? 0,
    disposition: r.disposition,
    answered: r.answered === true,
    ended_at: time(r.ended_at),
    record: r,
  };
}

export const FINAL_COLUMNS =
  'campaign_id text, number text, channel_id text, row integer, attempt integer, disposition text, answered boolean, ' + 'ended_at timestamptz, record jsonb';

export const columnNames = (typed: string): string =>
  typed
    .split(',')
    .map((c) => c.trim().split(' ')[0])
    .join(', ');
