// The OpenAPI document: every route of the API is in it (and nothing else), its examples are requests the routes'
// own schemas accept, it is served at /api/openapi.json, and the copy shipped in docs/ is the one generated now.
import { readFileSync } from 'node:fs';
import { DashboardAudit } from '../../src/dashboard/audit-routes.js';
import { RedisAuditLog } from '../../src/store/audit/audit-log.js';
import type { Router } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CampaignService } from '../../src/campaign/campaign-service.js';
import { apiRoutes } from '../../src/dashboard/api-routes.js';
import { API_OPERATIONS, openApiDocument } from '../../src/dashboard/api/openapi.js';
import { CampaignStats } from '../../src/dashboard/campaign-stats.js';
import { startDashboard, type Dashboard } from '../../src/dashboard/server.js';
import { silentLogger } from '../../src/log.js';
import { OPENAPI_FILE, openApiFileText } from '../../scripts/gen-openapi.js';
import { closeAll, newService, REDIS_URL, testPrefix } from './harness.js';
import type { Redis } from 'ioredis';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** `GET /campaigns/:id`, … : every route the router (and the routers it mounts) answers. */
function routesOf(router: Router): string[] {
  const out: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const l of stack) {
      if (l.route) {
        for (const m of Object.keys(l.route.methods)) if (m !== '_all') out.push(`${m.toUpperCase()} ${l.route.path}`);
      } else if (l.handle?.stack) walk(l.handle.stack);
    }
  };
  walk((router as unknown as { stack: Layer[] }).stack);
  return out.sort();
}

const prefix = testPrefix();
let redis: Redis;
let service: CampaignService;
let dash: Dashboard;

beforeAll(async () => {
  ({ redis, service } = newService(prefix));
  dash = await startDashboard({
    service,
    redisUrl: REDIS_URL,
    port: 0,
    operatorToken: 'op-openapi-0123456789abcdef',
    viewerToken: 'view-openapi-0123456789abcdef',
  });
});
afterAll(() => closeAll(prefix, { dash, service, redis }));

describe('the OpenAPI document', () => {
  it('has every route of the API, and only those', () => {
    const routes = routesOf(
      apiRoutes({
        service,
        stats: new CampaignStats(service),
        maxUploadBytes: 1024,
        open: false,
        audit: new DashboardAudit(new RedisAuditLog(redis, service.keys), () => '-', silentLogger),
        log: silentLogger,
      }),
    );
    // The pause/resume/cancel routes are registered in a loop; all must be there.
    expect(routes).toContain('POST /campaigns/:id/cancel');
    expect(routes).toContain('POST /calls');
    const documented = API_OPERATIONS.map((o) => `${o.method.toUpperCase()} ${o.path}`).sort();
    expect(documented).toEqual(routes);
    const doc = openApiDocument() as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe('3.1.0');
    const inDoc = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/^\/api/, '').replace(/\{(\w+)\}/g, ':$1')}`),
    );
    expect(inDoc.sort()).toEqual(routes);
  });

  it('each example request is accepted by the schema the route validates with; a typo in one is not', () => {
    let examples = 0;
    for (const op of API_OPERATIONS) {
      for (const [type, b] of Object.entries(op.body ?? {})) {
        for (const e of b.examples ?? []) {
          const r = b.schema.safeParse(e);
          expect(r.success, `${op.method} ${op.path} ${type}: ${JSON.stringify(r.error?.issues)}`).toBe(true);
          examples++;
          if (type === 'application/json' && typeof e === 'object' && e !== null && !Array.isArray(e)) {
            expect(b.schema.safeParse({ ...e, colour: 'red' }).success, `${op.path} refuses an unknown field`).toBe(false);
          }
        }
      }
    }
    expect(examples).toBeGreaterThanOrEqual(7);
  });

  it('names the request and response schemas of the new routes, strict where the routes are', () => {
    const doc = openApiDocument() as {
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: unknown }> }; responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, { additionalProperties?: unknown; required?: string[] }> };
    };
    expect(doc.paths['/api/calls']!.post!.requestBody!.content['application/json']!.schema).toEqual({ $ref: '#/components/schemas/CallRequest' });
    expect(Object.keys(doc.paths['/api/calls']!.post!.responses)).toEqual(expect.arrayContaining(['202', '400', '401', '403', '409', '422']));
    expect(Object.keys(doc.paths['/api/campaigns/{id}/contacts']!.post!.requestBody!.content).sort()).toEqual([
      'application/json',
      'application/x-ndjson',
      'text/csv',
    ]);
    const call = doc.components.schemas.CallRequest!;
    expect(call.additionalProperties).toBe(false);
    expect(call.required).toEqual(['number']);
    expect(doc.components.schemas.CallStatus).toBeDefined();
  });

  it('is served at GET /api/openapi.json (a viewer may read it), and docs/openapi.json is the generated one', async () => {
    const res = await fetch(`${dash.url}/api/openapi.json`, { headers: { Authorization: 'Bearer view-openapi-0123456789abcdef' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
    expect(readFileSync(OPENAPI_FILE, 'utf8'), 'docs/openapi.json is behind: run npm run gen:openapi').toBe(openApiFileText());
  });
});
