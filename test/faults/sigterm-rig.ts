import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import pg from 'pg';
import { expect } from 'vitest';
import { DATABASE_URL, requirePostgres } from '../helpers/pg-test.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import type { AttemptRecord } from '../../src/report/summarize.js';
import { CampaignService } from '../../src/campaign/campaign-service.js';
import { HistoryStore } from '../../src/store/history/history-store.js';
import { BUSY_CAMPAIGN, csvOf, numbersFor, type Rig, type WorkerChild } from './harness.js';

/** Small grace so each test stays short; the bound the issue sets is this plus 10 s. */
export const GRACE_S = 1;
export const BOUND_MS = (GRACE_S + 10) * 1000;

/**
 * ~60 calls in flight that outlast the grace: answered calls talk 4 s, and no-answers ring until the 6 s timeout.
 * No retries: what a shutdown leaves is what the test reads.
 */
export const DRAIN_CAMPAIGN = { ...BUSY_CAMPAIGN, cps: 60, timeoutS: 6, retry: 'none' };

export interface StopMeasure {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** SIGTERM sent → process gone. */
  ms: number;
}

/**
 * SIGTERM, then wait for the exit; a worker still running at the bound + 5 s is SIGKILLed so the test fails on the
 * figures instead of hanging.
 */
export async function sigterm(worker: WorkerChild): Promise<StopMeasure> {
  const at = Date.now();
  worker.child.kill('SIGTERM');
  const killer = setTimeout(() => worker.child.kill('SIGKILL'), BOUND_MS + 5000);
  const { code, signal } = await worker.exited;
  clearTimeout(killer);
  return { code, signal, ms: Date.now() - at };
}

/**
 * The campaign that puts the worker under load, and the moment it has `n` calls in flight. With `db`, a campaign
 * whose history goes to PostgreSQL (through the outbox), as the CLI's service makes them with DATABASE_URL.
 */
export async function busyCampaign(rig: Rig, name: string, series: number, db?: CuttableDatabase, n = 60): Promise<{ id: string; numbers: string[] }> {
  const numbers = numbersFor(200, series);
  let id: string;
  if (db) {
    const history = new HistoryStore({ url: db.directUrl });
    const svc = new CampaignService({ redis: rig.redis, prefix: rig.prefix, history });
    const r = await svc.create({ name, settings: DRAIN_CAMPAIGN, open: csvOf(numbers) });
    await history.close();
    expect(r, JSON.stringify(r.errors.slice(0, 3))).toMatchObject({ created: true, accepted: numbers.length });
    id = r.id!;
  } else id = await rig.campaign(name, numbers, DRAIN_CAMPAIGN);
  await rig.inFlight(n);
  return { id, numbers };
}

export async function attemptsOf(rig: Rig, id: string): Promise<Map<string, AttemptRecord>> {
  const out = new Map<string, AttemptRecord>();
  for await (const r of rig.svc.attempts(id)) out.set(r.channel_id, r);
  return out;
}

/** The worker's structured log lines (JSON on stderr) with this message. */
export function logLines(worker: WorkerChild, msg: string): Array<Record<string, unknown>> {
  return worker
    .stderr()
    .split('\n')
    .filter((l) => l.startsWith('{') && l.includes(`"msg":"${msg}`))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Asserts the bound and prints the figure (`FAULT_REPORT=1`). */
export function expectWithinBound(name: string, m: StopMeasure, worker: WorkerChild): void {
  if (process.env.FAULT_REPORT) {
    process.stderr.write(`${name}: SIGTERM → exit ${m.ms} ms, exit code ${m.code} (bound ${BOUND_MS} ms)\n`);
    // FAULT_REPORT=log also shows what the worker said while it stopped.
    const said = worker
      .stderr()
      .split('\n')
      .filter((l) => /draining|grace over|not stored|could not be stored|did not|worker stopped|still stopping/.test(l));
    if (process.env.FAULT_REPORT === 'log') writeFileSync(`/tmp/ari-dialer-${name.replace(/\W+/g, '-')}.log`, worker.stderr());
    if (process.env.FAULT_REPORT === 'log') process.stderr.write(`${said.filter((l) => !/result not stored/.test(l)).join('\n')}\n`);
  }
  expect(m.signal, `${name}: still running at the bound + 5 s, SIGKILLed:\n${worker.stderr().slice(-3000)}`).toBeNull();
  expect(m.ms, `${name}: SIGTERM → exit`).toBeLessThan(BOUND_MS);
}

/**
 * A PostgreSQL database of the test's own on the shared server (the CLI keeps history in its `public` schema),
 * reached only through a proxy the test cuts: PostgreSQL unreachable without stopping anyone else's server.
 */
export class CuttableDatabase {
  private constructor(
    readonly name: string,
    readonly proxy: TcpProxy,
  ) {}

  static async create(): Promise<CuttableDatabase> {
    await requirePostgres();
    const name = `ari_dialer_sigterm_${randomBytes(4).toString('hex')}`;
    await admin((c) => c.query(`CREATE DATABASE ${name}`));
    const u = new URL(DATABASE_URL);
    return new CuttableDatabase(name, await new TcpProxy(u.hostname, Number(u.port || 5432)).start());
  }

  /** DATABASE_URL for the worker: through the proxy. */
  get url(): string {
    const u = new URL(DATABASE_URL);
    u.port = String(this.proxy.port);
    u.pathname = `/${this.name}`;
    return u.toString();
  }

  /** The same database, not through the proxy. */
  get directUrl(): string {
    const u = new URL(DATABASE_URL);
    u.pathname = `/${this.name}`;
    return u.toString();
  }

  /** Rows in a table, read directly (not through the proxy). */
  async count(table: 'attempts' | 'finals'): Promise<number> {
    return admin(async (c) => Number((await c.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n), this.name);
  }

  async drop(): Promise<void> {
    await this.proxy.stop();
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${this.name} WITH (FORCE)`));
  }
}

async function admin<T>(run: (c: pg.Client) => Promise<T>, database?: string): Promise<T> {
  const url = new URL(DATABASE_URL);
  if (database) url.pathname = `/${database}`;
  const c = new pg.Client({ connectionString: url.toString() });
  await c.connect();
  try {
    return await run(c);
  } finally {
    await c.end();
  }
}
