import type { NotDialedReason } from '../report/not-dialed.js';
import type { Disposition } from '../dialer/call-result.js';
import type { CampaignSettings } from '../policy/campaign-settings.js';

/** `importing` holds completion back until every row is enqueued (workers already dial meanwhile). */
export type CampaignState = 'importing' | 'running' | 'paused' | 'cancelled' | 'finished';

export const CAMPAIGN_STATES: readonly CampaignState[] = ['importing', 'running', 'paused', 'cancelled', 'finished'];

export interface CampaignMeta {
  id: string;
  name: string;
  state: CampaignState;
  createdAt: string;
  finishedAt?: string;
  /** When it was cancelled (a cancelled campaign has no finishedAt; retention counts its age from here). */
  cancelledAt?: string;
  /** Why a paused campaign is paused, when not by an operator's plain pause (its circuit breaker, with the reason). */
  paused?: PauseInfo;
  /**
   * Time spent paused, for figures that measure dialing (pace, time left): `ms` over pauses already resumed (or ended
   * by a cancel), `since` when the pause going on now began. Absent when it was never paused.
   */
  pausedTime?: { ms: number; since?: string };
  settings: CampaignSettings;
  /** `pg`: its attempts and finals go to PostgreSQL (through the outbox); reads of them follow. */
  history?: 'pg';
  /** `pg`: its list is in PostgreSQL's `contacts` table; Redis holds only a hopper of the next jobs. */
  contacts?: 'pg';
  /** When its history was complete in PostgreSQL and its per-attempt state left Redis. */
  archivedAt?: string;
}

export interface PauseInfo {
  /** "10 originates in a row failed: 500 Allocation failed on SIP/nosuchtrunk/…" */
  reason: string;
  by: 'breaker' | 'operator';
  at: string;
}

/** Live counters. `final:X` are numbers whose final result is X; `attempt:X` count every attempt. */
export interface CampaignCounters {
  total: number;
  done: number;
  attempts: number;
  inflight: number;
  rejected: number;
  suppressed: number;
  duplicates: number;
  webhookDelivered: number;
  webhookFailed: number;
  final: Partial<Record<Disposition, number>>;
  attempt: Partial<Record<Disposition, number>>;
  /**
   * Numbers that ended without any call (see notDialedReason): they are in `final.CANCELLED` too, and no answer
   * rate counts them. Absent (0) for campaigns created before it was counted.
   */
  notDialed?: Partial<Record<NotDialedReason, number>>;
  /** Answered finals by AMD's verdict (HUMAN, MACHINE, NOTSURE, HANGUP), for campaigns with AMD. */
  finalAmd?: Partial<Record<string, number>>;
}

export interface InflightCall {
  channelId: string;
  number: string;
  attempt: number;
  since: string;
  worker: string;
  /** `dialing` until the callee answers; `ringing` in between only for calls placed over HTTP (see DialJobData.tracked). */
  state?: 'dialing' | 'ringing' | 'answered';
  answeredAt?: string;
}
