import type { CampaignStatus } from '../campaign/campaign-service.js';
import { notFedYet } from '../campaign/campaign-reads.js';
import { isInsideWindow } from '../policy/calling-window.js';
import { schedulePhase } from '../policy/schedule.js';

/**
 * What a campaign is doing, as an operator would say it. `state` (stored) says running for a campaign that waits
 * for its start in 2030 or for its calling window; this says `scheduled` or `waiting for window`.
 */
export type CampaignPhase = 'importing' | 'scheduled' | 'waiting for window' | 'running' | 'paused' | 'paused by breaker' | 'finished' | 'cancelled';

/** The figures a page shows for a campaign, computed once on the server so that list, page and report agree. */
export interface CampaignFigures {
  phase: CampaignPhase;
  /** Why it is in that phase, when there is more to say ("starts 2030-01-01T09:00:00Z", the breaker's reason). */
  phaseDetail?: string;
  /** Numbers with a final result after at least one call. */
  dialed: number;
  /** Numbers that ended without any call: an operator's cancel, or the campaign's end time. In no rate. */
  notDialed: { cancelled: number; schedule: number };
  /** Numbers without a final result yet (waiting, ringing, or waiting for a retry). */
  remaining: number;
  /** Numbers answered / numbers dialed (`dialed`), 0..1. */
  answeredRate: number;
  /** Answered calls / calls placed, 0..1: retries make it lower than the rate per number. */
  attemptAnswerRate: number;
  /** With AMD: answered numbers a person (or NOTSURE taken as one) picked up, and those a machine did. */
  amd?: { people: number; machines: number };
  /** When dialing could begin: its start time when it has one, else its creation. */
  startedAt: string;
  /** When it ended: finished, or cancelled by an operator; absent while it can still dial. */
  endedAt?: string;
  /** With its list in PostgreSQL: numbers still there, not fed to Redis's hopper yet (see notFedYet). */
  inList?: number;
  /** Seconds from `startedAt` to `endedAt` (or to now while it runs), to 0.1 s; 0 before it starts. */
  durationS: number;
  /** Of `durationS`, the seconds it was paused (the pause going on now included), to 0.1 s. */
  pausedS: number;
  /**
   * Seconds left at the pace so far (numbers finished per second of dialing: paused time left out), or null when
   * there is no pace to go by (nothing finished yet, paused, scheduled, over).
   */
  timeLeftS: number | null;
}

export function campaignFigures(status: CampaignStatus, now: number): CampaignFigures {
  const c = status.counters;
  const s = status.settings;
  const notDialed = { cancelled: c.notDialed?.cancelled ?? 0, schedule: c.notDialed?.schedule ?? 0 };
  const dialed = Math.max(0, c.done - notDialed.cancelled - notDialed.schedule);
  const answered = c.final.ANSWERED ?? 0;
  const { phase, detail } = phaseOf(status, now);
  const startedAt = s.startAt && Date.parse(s.startAt) > Date.parse(status.createdAt) ? s.startAt : status.createdAt;
  const startMs = Date.parse(startedAt);
  const endedAt = status.state === 'finished' ? status.finishedAt : status.state === 'cancelled' ? status.cancelledAt : undefined;
  const endMs = endedAt ? Date.parse(endedAt) : now;
  const durationS = Math.max(0, Math.round((endMs - startMs) / 100) / 10);
  const p = status.pausedTime;
  const pausedMs = (p?.ms ?? 0) + (p?.since && status.state === 'paused' ? Math.max(0, endMs - Date.parse(p.since)) : 0);
  const pausedS = Math.min(durationS, Math.round(pausedMs / 100) / 10);
  const dialingS = durationS - pausedS;
  const remaining = Math.max(0, c.total - c.done);
  const inList = notFedYet(status);
  const pacing = phase === 'running' && dialed > 0 && dialingS > 0;
  const f: CampaignFigures = {
    phase,
    ...(detail ? { phaseDetail: detail } : {}),
    dialed,
    notDialed,
    remaining,
    answeredRate: dialed > 0 ? answered / dialed : 0,
    attemptAnswerRate: c.attempts > 0 ? (c.attempt.ANSWERED ?? 0) / c.attempts : 0,
    startedAt,
    ...(endedAt ? { endedAt } : {}),
    ...(inList !== undefined ? { inList } : {}),
    durationS,
    pausedS,
    timeLeftS: pacing ? Math.round(remaining / (c.done / dialingS)) : null,
  };
  if (s.amd) {
    const v = c.finalAmd ?? {};
    const notSure = v.NOTSURE ?? 0;
    f.amd = {
      people: (v.HUMAN ?? 0) + (v.HANGUP ?? 0) + (s.amd.notSureAs === 'machine' ? 0 : notSure),
      machines: (v.MACHINE ?? 0) + (s.amd.notSureAs === 'machine' ? notSure : 0),
    };
  }
  return f;
}

function phaseOf(status: CampaignStatus, now: number): { phase: CampaignPhase; detail?: string } {
  const s = status.settings;
  switch (status.state) {
    case 'finished':
    case 'cancelled':
      return { phase: status.state };
    case 'paused':
      return status.paused?.by === 'breaker'
        ? { phase: 'paused by breaker', detail: status.paused.reason }
        : { phase: 'paused', ...(status.paused ? { detail: status.paused.reason } : {}) };
    default: {
      const gate = schedulePhase(s, now);
      if (gate.kind === 'before') return { phase: 'scheduled', detail: `starts ${gate.startAt}` };
      if (s.window && !isInsideWindow(s.window, new Date(now))) return { phase: 'waiting for window', detail: `outside its calling window` };
      return { phase: status.state === 'importing' ? 'importing' : 'running' };
    }
  }
}
