/**
 * The dashboard the API tests talk to: one per test file (each file is its own module instance), with an operator and
 * a viewer token and a seeded campaign. The `let` exports are live bindings, set by useApiDashboard()'s beforeAll.
 */
import { Readable } from 'node:stream';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, expect } from 'vitest';
import type { CampaignService } from '../../src/campaign/campaign-service.js';
import { startDashboard, type Dashboard } from '../../src/dashboard/server.js';
import { attemptRecord, closeAll, newService, REDIS_URL, testPrefix } from './harness.js';

export const OPERATOR = 'op-token-0123456789abcdef';
export const VIEWER = 'view-token-0123456789abcdef';
export const MAX_UPLOAD = 8 * 1024;
export const SETTINGS = { endpoint: 'SIP/trunk/{number}', cps: 50 };

export type Who = 'none' | 'viewer' | 'operator';
export const tokenOf: Record<Who, string | undefined> = { none: undefined, viewer: VIEWER, operator: OPERATOR };

export let prefix: string;
export let redis: Redis;
export let service: CampaignService;
export let dash: Dashboard;
/** A campaign with stored results: 3 numbers, answered, busy, no answer (+ one earlier busy attempt). */
export let seeded: string;

export function auth(who: Who, extra: Record<string, string> = {}): Record<string, string> {
  const t = tokenOf[who];
  return t ? { Authorization: `Bearer ${t}`, ...extra } : extra;
}

/** As our own page asks: with the X-Ari-Dialer header that API writes need (see test/security/cross-site.test.ts). */
export function req(path: string, who: Who, init: RequestInit = {}): Promise<Response> {
  return fetch(`${dash.url}${path}`, {
    redirect: 'manual',
    ...init,
    headers: { 'X-Ari-Dialer': '1', ...auth(who), ...(init.headers as Record<string, string> | undefined) },
  });
}

export function csvForm(csv: string, options: unknown, filename = 'numbers.csv'): FormData {
  const f = new FormData();
  f.append('options', typeof options === 'string' ? options : JSON.stringify(options));
  f.append('file', new Blob([csv], { type: 'text/csv' }), filename);
  return f;
}

export async function errorOf(res: Response): Promise<{ code: string; message: string; [k: string]: unknown }> {
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(body.error).toBeDefined();
  return body.error;
}

/** Starts the dashboard before this file's tests and closes it after. */
export function useApiDashboard(): void {
  beforeAll(async () => {
    prefix = testPrefix();
    // hooks.example: a campaign below keeps credentials in its webhook URL, to prove the page never shows them.
    ({ redis, service } = newService(prefix, ['hooks.example']));
    dash = await startDashboard({
      service,
      redisUrl: REDIS_URL,
      port: 0,
      operatorToken: OPERATOR,
      viewerToken: VIEWER,
      maxUploadBytes: MAX_UPLOAD,
      guessLimits: { perAddress: 10_000, overall: 10_000 },
    });
    const created = await service.create({
      name: 'seeded',
      settings: SETTINGS,
      open: () => Readable.from(['number,name\n4930100,Ada\n4930106,Bob\n4930107,Cy\n']),
    });
    seeded = created.id!;
    await service.store.recordAttempt(attemptRecord(seeded, '4930106', 3, 'BUSY', 1, false));
    await service.store.recordAttempt(attemptRecord(seeded, '4930100', 2, 'ANSWERED'));
    await service.store.recordAttempt(attemptRecord(seeded, '4930106', 3, 'BUSY', 2, true));
    await service.store.recordAttempt(attemptRecord(seeded, '4930107', 4, 'NO_ANSWER'));
  });

  afterAll(() => closeAll(prefix, { dash, service, redis }));
}
