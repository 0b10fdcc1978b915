import { AMD_STATUSES, type AmdStatus } from '../dialer/amd/amd-verdict.js';
import { DISPOSITIONS, type Disposition } from '../dialer/call-result.js';
import type { AttemptRecord } from './attempt-record.js';
import { notDialedReason } from './not-dialed.js';
import { AfterAnswerSummaryBuilder, type CapturedSummary, type MessageSummary } from './summarize-after-answer.js';

export type { AttemptRecord } from './attempt-record.js';

/** Campaign figures as a call-centre reads them. "Numbers" are contacts (campaign + row), not distinct digits. */
export interface Summary {
  /** Contacts seen, with or without a final result yet. */
  numbers: number;
  /** Calls placed (records with a channel id). */
  attempts: number;
  /** Contacts whose final result was answered. */
  answered: number;
  /** Contacts with a final result that were called at least once (numbers stopped before any call are not). */
  dialed: number;
  /** Contacts that ended without any call: cancelled by an operator, or ended by the campaign's end time. */
  not_dialed: { cancelled: number; ended_by_schedule: number };
  /**
   * Answer rate per number: answered contacts / contacts dialed (`dialed`), 0..1 (0 when none was). Numbers the
   * campaign stopped before their first call are left out: they could not answer.
   */
  asr: number;
  /** Answer rate per call: answered attempts / attempts placed, 0..1. */
  asr_per_attempt: number;
  /** Average call duration: mean `talk_s` of answered attempts, in seconds (ms precision). */
  acd_s: number;
  /** Talk time of all attempts, in seconds (ms precision). */
  total_talk_s: number;
  /** Final results by disposition; every disposition is present. */
  by_disposition: Record<Disposition, number>;
  /** Hang-up causes of all calls, most frequent first (ties: lower cause first). */
  causes: Array<{ cause: number; cause_txt: string; count: number }>;
  /**
   * Contacts by the highest attempt number seen for them: `{ "1": 9120, "2": 610, "3": 70 }`. Contacts still in
   * progress count with their attempts so far; "0" counts contacts stopped before their first call.
   */
  attempts_per_number: Record<string, number>;
  /** Answering machine detection, over the calls that went through it; absent when none did. */
  amd?: AmdSummary;
  /** The message with press-1: flows, press rate per key, opt-out rate, mean heard; absent without a message. */
  message?: MessageSummary;
  /** Per captured variable, a count and share per value (`SURVEY_ANSWER`: `1` 23 %, `2` 61 %). */
  captured?: Record<string, CapturedSummary>;
}

/** What AMD said of the calls it listened to (every attempt, retries included: each was a separate answer). */
export interface AmdSummary {
  /** Calls with an AMD verdict. */
  calls: number;
  /** Calls by verdict; every status is present. */
  by_status: Record<AmdStatus, number>;
  /** HUMAN / calls, 0..1. */
  human_rate: number;
  /** MACHINE / calls, 0..1. */
  machine_rate: number;
  /** Mean detection time (`amd_ms`), in ms. */
  avg_ms: number;
}

const NO_FINAL = 0;
const CODE_BITS = 15;
const ANSWERED_BIT = 16;
/** The final placed no call because the campaign's end time passed (see notDialedReason). */
const SCHEDULE_BIT = 32;
const STATE_UNIT = 64; // state = highestAttempt * 64 + schedule bit + answered bit + final disposition code (1..15, 0 = none)

/**
 * Builds a {@link Summary} one record at a time, in any order, so a million attempts stream through without being
 * kept. Memory is one small number per contact (about 30 bytes, measured: enough to count contacts and attempts per
 * contact). Feeding the same record twice does not change contact figures (numbers, answered, asr,
 * by_disposition, attempts_per_number); call figures (attempts, causes, talk) assume each attempt once, as the
 * store keeps them.
 */
export class SummaryBuilder {
  /** campaignId → row → packed state (see STATE_UNIT). */
  private readonly contacts = new Map<string, Map<number, number>>();
  private attempts = 0;
  private answeredAttempts = 0;
  private answeredTalkMs = 0;
  private totalTalkMs = 0;
  private readonly causes = new Map<number, { cause_txt: string; count: number }>();
  private readonly amdByStatus = new Map<AmdStatus, number>();
  private amdCalls = 0;
  private amdTotalMs = 0;
  private readonly after = new AfterAnswerSummaryBuilder();

  add(record: AttemptRecord): this {
    let rows = this.contacts.get(record.campaignId);
    if (rows === undefined) this.contacts.set(record.campaignId, (rows = new Map<number, number>()));
    const attempt = Number.isSafeInteger(record.attempt) && record.attempt > 0 ? record.attempt : 0;
    const state = rows.get(record.row) ?? 0;
    const highest = Math.max(Math.floor(state / STATE_UNIT), attempt);
    let final = state % STATE_UNIT;
    if (record.final) {
      const code = DISPOSITIONS.indexOf(record.disposition) + 1; // 0 for an unknown string: counted as no final
      const answered = record.answered || record.disposition === 'ANSWERED';
      final = code === NO_FINAL ? NO_FINAL : code + (answered ? ANSWERED_BIT : 0) + (notDialedReason(record) === 'schedule' ? SCHEDULE_BIT : 0);
    }
    rows.set(record.row, highest * STATE_UNIT + final);

    if (record.channel_id === '') return this; // no call was placed
    this.attempts++;
    this.after.add(record);
    // Talk is summed in whole milliseconds: the inputs have that precision, and float sums would drift.
    const talkMs = Number.isFinite(record.talk_s) && record.talk_s > 0 ? Math.round(record.talk_s * 1000) : 0;
    this.totalTalkMs += talkMs;
    if (record.answered) {
      this.answeredAttempts++;
      this.answeredTalkMs += talkMs;
    }
    if (record.amd_status !== undefined && AMD_STATUSES.includes(record.amd_status)) {
      this.amdCalls++;
      this.amdByStatus.set(record.amd_status, (this.amdByStatus.get(record.amd_status) ?? 0) + 1);
      if (Number.isFinite(record.amd_ms)) this.amdTotalMs += Math.max(0, Math.round(record.amd_ms!));
    }
    const cause = this.causes.get(record.cause);
    if (cause === undefined) this.causes.set(record.cause, { cause_txt: record.cause_txt, count: 1 });
    else {
      cause.count++;
      if (cause.cause_txt === '' && record.cause_txt !== '') cause.cause_txt = record.cause_txt;
    }
    return this;
  }

  result(): Summary {
    const by_disposition = Object.fromEntries(DISPOSITIONS.map((d) => [d, 0])) as Record<Disposition, number>;
    const attempts_per_number: Record<string, number> = {};
    let numbers = 0;
    let finals = 0;
    let answered = 0;
    const not_dialed = { cancelled: 0, ended_by_schedule: 0 };
    for (const rows of this.contacts.values()) {
      for (const state of rows.values()) {
        numbers++;
        const highest = String(Math.floor(state / STATE_UNIT));
        attempts_per_number[highest] = (attempts_per_number[highest] ?? 0) + 1;
        const final = state % STATE_UNIT;
        if (final === NO_FINAL) continue;
        finals++;
        if (final & ANSWERED_BIT) answered++;
        const disposition = DISPOSITIONS[(final & CODE_BITS) - 1];
        if (disposition !== undefined) by_disposition[disposition]++;
        // Stopped before any call: the highest attempt seen for it is 0.
        if (disposition === 'CANCELLED' && highest === '0') {
          if (final & SCHEDULE_BIT) not_dialed.ended_by_schedule++;
          else not_dialed.cancelled++;
        }
      }
    }
    const causes = [...this.causes]
      .map(([cause, { cause_txt, count }]) => ({ cause, cause_txt, count }))
      .sort((a, b) => b.count - a.count || a.cause - b.cause);
    return {
      numbers,
      attempts: this.attempts,
      answered,
      dialed: finals - not_dialed.cancelled - not_dialed.ended_by_schedule,
      not_dialed,
      asr: rate(answered, finals - not_dialed.cancelled - not_dialed.ended_by_schedule),
      asr_per_attempt: rate(this.answeredAttempts, this.attempts),
      acd_s: this.answeredAttempts === 0 ? 0 : Math.round(this.answeredTalkMs / this.answeredAttempts) / 1000,
      total_talk_s: this.totalTalkMs / 1000,
      by_disposition,
      causes,
      attempts_per_number: sortedByNumber(attempts_per_number),
      ...(this.amdCalls > 0 ? { amd: this.amdSummary() } : {}),
      ...optional('message', this.after.message()),
      ...optional('captured', this.after.capturedValues()),
    };
  }

  private amdSummary(): AmdSummary {
    const by_status = Object.fromEntries(AMD_STATUSES.map((st) => [st, this.amdByStatus.get(st) ?? 0])) as Record<AmdStatus, number>;
    return {
      calls: this.amdCalls,
      by_status,
      human_rate: by_status.HUMAN / this.amdCalls,
      machine_rate: by_status.MACHINE / this.amdCalls,
      avg_ms: Math.round(this.amdTotalMs / this.amdCalls),
    };
  }
}

/** Summarizes records held in memory or produced by a generator. */
export function summarize(records: Iterable<AttemptRecord>): Summary {
  const builder = new SummaryBuilder();
  for (const record of records) builder.add(record);
  return builder.result();
}

/** Summarizes records streamed from storage (e.g. the campaign store's `attempts()` generator). */
export async function summarizeStream(records: AsyncIterable<AttemptRecord>): Promise<Summary> {
  const builder = new SummaryBuilder();
  for await (const record of records) builder.add(record);
  return builder.result();
}

const optional = <K extends string, V>(k: K, v: V | undefined): Partial<Record<K, V>> => (v === undefined ? {} : ({ [k]: v } as Record<K, V>));

const rate = (part: number, whole: number): number => (whole > 0 ? part / whole : 0);

/** Integer-like keys are already ordered numerically by JS; this only makes that explicit for readers of JSON. */
function sortedByNumber(histogram: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(histogram).sort(([a], [b]) => Number(a) - Number(b)));
}
