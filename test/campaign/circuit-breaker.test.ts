import { describe, expect, it } from 'vitest';
import type { CallResult } from '../../src/dialer/call-result.js';
import { verdictOf, type AttemptVerdict } from '../../src/campaign/health/attempt-verdict.js';
import { CircuitBreaker } from '../../src/campaign/health/circuit-breaker.js';
import { ConfigError } from '../../src/errors.js';

const refused: AttemptVerdict = { kind: 'ours', reason: '500 Allocation failed' };
const callee: AttemptVerdict = { kind: 'callee' };
const congestion: AttemptVerdict = { kind: 'ours', reason: 'Normal circuit congestion (34)', networkCause: true };

const result = (over: Partial<CallResult>): CallResult => ({
  status: 'success',
  answered: false,
  cause: 16,
  cause_txt: 'Normal Clearing',
  message: 'Normal Clearing (16)',
  disposition: 'NO_ANSWER',
  channel_id: 'c',
  endpoint: 'SIP/x',
  callerid: '',
  created_at: '',
  answered_at: null,
  ended_at: '',
  ring_s: 1,
  talk_s: 0,
  duration: 1,
  ...over,
});

describe('verdictOf: our side of the line or the callee', () => {
  it.each<[string, Partial<CallResult>, AttemptVerdict['kind']]>([
    ['answered', { answered: true, disposition: 'ANSWERED' }, 'callee'],
    ['busy 17', { cause: 17, disposition: 'BUSY' }, 'callee'],
    ['no answer 19', { cause: 19 }, 'callee'],
    ['rejected 21', { cause: 21, disposition: 'REJECTED' }, 'callee'],
    ['congestion 34', { cause: 34, disposition: 'CONGESTION' }, 'ours'],
    ['network out of order 38', { cause: 38, disposition: 'FAILED' }, 'ours'],
    [
      '500 Allocation failed',
      { status: 'error', disposition: 'ERROR', http_status: 500, error_code: 'ARI_HTTP', message: 'Allocation failed', placed: false },
      'ours',
    ],
    ['400 invalid endpoint', { status: 'error', disposition: 'ERROR', http_status: 400, error_code: 'ARI_HTTP', placed: false }, 'ours'],
    [
      '503 not booted',
      { status: 'error', disposition: 'ERROR', http_status: 503, error_code: 'ARI_HTTP', message: 'Asterisk not booted', placed: false },
      'asterisk-down',
    ],
    ['404 HTML', { status: 'error', disposition: 'ERROR', http_status: 404, error_code: 'ARI_NOT_ARI', placed: false }, 'asterisk-down'],
    ['connection refused', { status: 'error', disposition: 'ERROR', error_code: 'ARI_UNREACHABLE', placed: false }, 'asterisk-down'],
    ['no answer in time', { status: 'error', disposition: 'ERROR', error_code: 'ARI_TIMEOUT' }, 'ours'],
    ['interrupted by a restart', { disposition: 'INTERRUPTED', cause: 0 }, 'asterisk-down'],
    ['cancelled', { disposition: 'CANCELLED' }, 'neutral'],
    ['unknown', { status: 'error', disposition: 'UNKNOWN', cause: 0 }, 'neutral'],
    ['unallocated number 1', { cause: 1, disposition: 'FAILED' }, 'neutral'],
  ])('%s → %s', (_name, over, kind) => {
    expect(verdictOf(result(over)).kind).toBe(kind);
  });

  it('a retry’s network cause says nothing new (retries of congested numbers come back together)', () => {
    expect(verdictOf(result({ cause: 34, disposition: 'CONGESTION' }), { retry: true }).kind).toBe('neutral');
    expect(verdictOf(result({ cause: 19 }), { retry: true }).kind).toBe('callee');
    expect(verdictOf(result({ status: 'error', disposition: 'ERROR', http_status: 500, error_code: 'ARI_HTTP' }), { retry: true }).kind).toBe('ours');
  });

  it('names the failure as an operator reads it', () => {
    const v = verdictOf(result({ status: 'error', disposition: 'ERROR', http_status: 500, error_code: 'ARI_HTTP', message: 'Allocation failed' }));
    expect(v.reason).toBe('500 Allocation failed');
  });
});

describe('CircuitBreaker', () => {
  it('opens after the threshold of failures in a row; a callee in between resets the run', () => {
    const b = new CircuitBreaker({ threshold: 3 });
    expect(b.record(refused, 1)).toBeUndefined();
    expect(b.record(refused, 2)).toBeUndefined();
    b.record(callee, 3);
    expect(b.record(refused, 4)).toBeUndefined();
    expect(b.record(refused, 5)).toBeUndefined();
    expect(b.state).toBe('closed');
    expect(b.admit()).toBe('go');
    const trip = b.record(refused, 1000);
    expect(trip).toEqual({ run: 3, reason: '500 Allocation failed', trips: 1, pause: false });
    expect(b.state).toBe('open');
    expect(b.admit()).toBe('no');
    expect(b.nextProbeAt).toBe(2000);
  });

  it('counts runs in the order calls were placed: an answer to a call placed before the run does not break it', () => {
    const b = new CircuitBreaker({ threshold: 3 });
    b.record(refused, 1000, false, 1000);
    b.record(refused, 1010, false, 1010);
    b.record(callee, 1500, false, 500); // rang from 500 to 1500, placed before the run began
    expect(b.record(refused, 1520, false, 1520)).toMatchObject({ run: 3 });
    const c = new CircuitBreaker({ threshold: 3 });
    c.record(refused, 1000, false, 1000);
    c.record(callee, 1500, false, 1200); // placed after the run began: the trunk worked then
    c.record(refused, 1520, false, 1520);
    expect(c.record(refused, 1530, false, 1530)).toBeUndefined();
  });

  it('asterisk-down and neutral verdicts neither trip nor reset it', () => {
    const b = new CircuitBreaker({ threshold: 2 });
    b.record(refused, 1);
    b.record({ kind: 'asterisk-down' }, 2);
    b.record({ kind: 'neutral' }, 3);
    expect(b.record(refused, 4)?.run).toBe(2);
  });

  it('half-open lets exactly one trial through; its success closes, its failure reopens with a longer backoff', () => {
    const b = new CircuitBreaker({ threshold: 1, probeDelayMs: 100 });
    expect(b.record(refused, 0)?.trips).toBe(1);
    b.probed(false, 100); // Asterisk itself down: stay open, probe again later
    expect(b.state).toBe('open');
    b.probed(true, 300);
    expect(b.state).toBe('half-open');
    expect(b.admit()).toBe('trial');
    expect(b.admit()).toBe('no');
    b.unadmit(); // the trial went back to the queue unsent
    expect(b.admit()).toBe('trial');
    // A failure of a call placed before the trip is not the trial's: ignored.
    expect(b.record(refused, 300, false)).toBeUndefined();
    const again = b.record(refused, 400, true);
    expect(again).toMatchObject({ trips: 2, pause: false });
    expect(b.nextProbeAt).toBe(400 + 200);
    b.probed(true, 600);
    b.admit();
    b.record(callee, 700, true);
    expect(b.state).toBe('closed');
    expect(b.tripsInARow).toBe(0);
  });

  it('asks for a pause after pauseAfterTrips trips in a row', () => {
    const b = new CircuitBreaker({ threshold: 2, pauseAfterTrips: 2 });
    b.record(refused, 1);
    expect(b.record(refused, 2)?.pause).toBe(false);
    b.probed(true, 10_000);
    b.admit();
    expect(b.record(refused, 10_000, true)).toMatchObject({ trips: 2, pause: true });
  });

  it('judges network causes against the campaign’s own mix', () => {
    // A campaign where a third of the placed calls end with congestion sees 6 in a row by chance once in 729 runs:
    // its bar is 7 ((1/3)^7 < 1/1000), above the threshold of 5.
    const noisy = new CircuitBreaker({ threshold: 5 });
    for (let i = 0; i < 300; i++) noisy.record(i % 3 === 0 ? congestion : callee, i);
    for (let i = 0; i < 6; i++) expect(noisy.record(congestion, 1000 + i)).toBeUndefined();
    expect(noisy.record(congestion, 2000)).toMatchObject({ run: 7 });
    // A campaign that never sees congestion trips at the threshold.
    const quiet = new CircuitBreaker({ threshold: 5 });
    for (let i = 0; i < 300; i++) quiet.record(callee, i);
    for (let i = 0; i < 4; i++) quiet.record(congestion, 1000 + i);
    expect(quiet.record(congestion, 2000)).toMatchObject({ run: 5 });
  });

  it('reports every bad option at once, by name', () => {
    expect(() => new CircuitBreaker({ threshold: 0, pauseAfterTrips: -1 })).toThrow(ConfigError);
    expect(() => new CircuitBreaker({ threshold: 0, pauseAfterTrips: -1 })).toThrow(/threshold[\s\S]*pauseAfterTrips/);
  });
});
