import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { packageFile } from '../../package-file.js';
import {
  AttemptsPage,
  AttemptsQuery,
  CampaignCreated,
  CampaignDetail,
  CampaignList,
  CampaignOne,
  Deleted,
  DeleteQuery,
  Inflight,
  ReportQuery,
  ScheduleRequest,
  SearchQuery,
  SearchResult,
  Timeline,
  UploadOptions,
  UploadPreview,
  UploadQuery,
  WhoAmI,
} from './campaign-schemas.js';
import { AuditEntries, AuditQuery } from './audit-schemas.js';
import { CallAccepted, CallRequest, CallStatus, ContactObject, ContactsAdded, ContactsQuery, ContactsRejected, ErrorBody } from './schemas.js';

/** What one route takes and answers; the OpenAPI document is made from this list, and a test holds it to the router. */
export interface ApiOperation {
  method: 'get' | 'post' | 'delete';
  /** As the router has it, under /api: `/campaigns/:id`. */
  path: string;
  summary: string;
  /** The least role that may call it. */
  role: 'viewer' | 'operator';
  query?: z.ZodObject;
  /** By content type: the schema, and examples (each one a request the schema accepts; a test checks it). */
  body?: Record<string, { schema: z.ZodType; examples?: unknown[] }>;
  /** By status. `type` when the answer is not JSON. */
  responses: Record<number, { description: string; schema?: z.ZodType; type?: string }>;
}

const TEXT = z.string();
const campaignOne = { 200: { description: 'The campaign as the dashboard lists it.', schema: CampaignOne } };
const csvExample = 'number,name\n+493012345678,Ada\n+493012345679,Bob\n';

export const API_OPERATIONS: readonly ApiOperation[] = [
  { method: 'get', path: '/whoami', summary: 'Who the token is', role: 'viewer', responses: { 200: { description: 'Role and limits.', schema: WhoAmI } } },
  { method: 'get', path: '/openapi.json', summary: 'This document', role: 'viewer', responses: { 200: { description: 'OpenAPI 3.1.' } } },
  {
    method: 'get',
    path: '/campaigns',
    summary: 'List campaigns',
    role: 'viewer',
    responses: { 200: { description: 'Every campaign, with its figures.', schema: CampaignList } },
  },
  {
    method: 'post',
    path: '/campaigns',
    summary: 'Create a campaign from a CSV (or check it: ?preview=1)',
    role: 'operator',
    query: UploadQuery,
    body: {
      'multipart/form-data': {
        schema: z.object({ options: z.string().meta({ description: 'UploadOptions as JSON.' }), file: z.string().meta({ format: 'binary' }) }),
      },
      'text/csv': { schema: TEXT, examples: [csvExample] },
    },
    responses: {
      200: { description: 'Preview: the counts and the first rows.', schema: UploadPreview },
      201: { description: 'Created.', schema: CampaignCreated },
      422: { description: 'Bad rows: nothing enqueued.', schema: ContactsRejected },
    },
  },
  {
    method: 'post',
    path: '/campaigns/:id/contacts',
    summary: 'Add contacts to a campaign (CSV, JSON array or NDJSON)',
    role: 'operator',
    query: ContactsQuery,
    body: {
      'text/csv': { schema: TEXT, examples: [csvExample] },
      'application/json': {
        schema: z.array(ContactObject),
        examples: [
          [
            { number: '+493012345678', name: 'Ada', lead_priority: 5 },
            { phone: '+493012345679', crm_id: 'A-17' },
          ],
        ],
      },
      'application/x-ndjson': { schema: TEXT, examples: ['{"number":"+493012345678","name":"Ada"}\n{"number":"+493012345679"}\n'] },
    },
    responses: {
      200: { description: "Added: the import's report.", schema: ContactsAdded },
      422: { description: 'Bad rows (strict): nothing added; every bad line (and JSON path) listed.', schema: ContactsRejected },
      415: { description: 'A content type it does not read.', schema: ErrorBody },
    },
  },
  {
    method: 'get',
    path: '/campaigns/:id',
    summary: 'One campaign in detail',
    role: 'viewer',
    responses: { 200: { description: 'Its row, counts, causes, settings.', schema: CampaignDetail } },
  },
  { method: 'post', path: '/campaigns/:id/pause', summary: 'Pause', role: 'operator', responses: campaignOne },
  { method: 'post', path: '/campaigns/:id/resume', summary: 'Resume', role: 'operator', responses: campaignOne },
  { method: 'post', path: '/campaigns/:id/cancel', summary: 'Cancel: numbers not yet dialed end CANCELLED', role: 'operator', responses: campaignOne },
  {
    method: 'delete',
    path: '/campaigns/:id',
    summary: 'Delete a campaign',
    role: 'operator',
    query: DeleteQuery,
    responses: { 200: { description: 'What was deleted.', schema: Deleted } },
  },
  {
    method: 'post',
    path: '/campaigns/:id/schedule',
    summary: 'Set or clear its start and end',
    role: 'operator',
    body: {
      'application/json': { schema: ScheduleRequest, examples: [{ startAt: '2026-12-01T09:00:00+01:00', endAt: null }, { endAt: '2026-12-24T18:00:00Z' }] },
    },
    responses: campaignOne,
  },
  {
    method: 'get',
    path: '/campaigns/:id/report',
    summary: 'The report (final results, or every attempt)',
    role: 'viewer',
    query: ReportQuery,
    responses: { 200: { description: 'CSV, JSON or NDJSON, as an attachment.', type: 'text/csv' } },
  },
  {
    method: 'get',
    path: '/campaigns/:id/attempts',
    summary: 'Attempts, newest first',
    role: 'viewer',
    query: AttemptsQuery,
    responses: { 200: { description: 'A page.', schema: AttemptsPage } },
  },
  {
    method: 'get',
    path: '/campaigns/:id/attempts/:channelId/recording',
    summary: "An attempt's recording (Range requests served)",
    role: 'viewer',
    responses: {
      200: { description: 'The audio, in the format it was recorded in (WAV by default).', type: 'audio/wav' },
      206: { description: 'A byte range of it.', type: 'audio/wav' },
    },
  },
  { method: 'get', path: '/campaigns/:id/inflight', summary: 'Calls in flight', role: 'viewer', responses: { 200: { description: 'Now.', schema: Inflight } } },
  {
    method: 'get',
    path: '/campaigns/:id/timeline',
    summary: 'Attempts and answers per 10 s',
    role: 'viewer',
    responses: { 200: { description: 'Buckets.', schema: Timeline } },
  },
  {
    method: 'post',
    path: '/calls',
    summary: 'One call now, through a campaign',
    role: 'operator',
    body: {
      'application/json': {
        schema: CallRequest,
        examples: [
          {
            number: '+493012345678',
            campaign: 'web-leads',
            settings: { endpoint: 'PJSIP/{number}@trunk', cps: 5, allowRowOverrides: true },
            variables: { LEAD_ID: 'crm-4711' },
          },
          { number: '+493012345679', campaign: 'web-leads', callerId: '+4930999', timeoutS: 20 },
        ],
      },
    },
    responses: {
      202: {
        description:
          'Queued: its channel id and where to follow it (also in Location). With an Idempotency-Key header, a repeat answers the same (header Idempotent-Replayed).',
        schema: CallAccepted,
      },
      409: {
        description: 'The campaign already has this number (its channelId given), or the first request with this Idempotency-Key is still running.',
        schema: ErrorBody,
      },
      422: { description: 'IDEMPOTENCY_MISMATCH: the key was used for another request.', schema: ErrorBody },
    },
  },
  {
    method: 'get',
    path: '/calls/:channelId',
    summary: 'Where a call stands, then its result',
    role: 'viewer',
    responses: { 200: { description: 'queued, dialing, answered or ended (with the result).', schema: CallStatus } },
  },
  {
    method: 'get',
    path: '/audit',
    summary: 'Who did what: operator actions and logins, newest first',
    role: 'operator',
    query: AuditQuery,
    responses: { 200: { description: 'Entries.', schema: AuditEntries } },
  },
  {
    method: 'get',
    path: '/search',
    summary: 'Find a number (or job id) across campaigns',
    role: 'viewer',
    query: SearchQuery,
    responses: { 200: { description: 'Matches.', schema: SearchResult } },
  },
];

/** Schemas that exist for clients to read only (not attached to a route above). */
const EXTRA_COMPONENTS: ReadonlyArray<{ schema: z.ZodType; io: 'input' | 'output' }> = [{ schema: UploadOptions, io: 'input' }];

let cached: Record<string, unknown> | undefined;

/** The OpenAPI 3.1 document of the API, generated from {@link API_OPERATIONS} and the zod schemas they name. */
export function openApiDocument(): Record<string, unknown> {
  if (cached) return cached;
  const components: Record<string, unknown> = {};
  const toSchema = (s: z.ZodType, io: 'input' | 'output') => hoist(z.toJSONSchema(s, { io, target: 'draft-2020-12', unrepresentable: 'any' }), components);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of API_OPERATIONS) {
    const path = `/api${op.path.replace(/:([A-Za-z]+)/g, '{$1}')}`;
    const parameters = [
      ...[...op.path.matchAll(/:([A-Za-z]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } })),
      ...Object.entries(op.query?.shape ?? {}).map(([name, s]) => {
        const { description, ...schema } = toSchema(s as z.ZodType, 'input');
        return { name, in: 'query', required: !(s as z.ZodType).safeParse(undefined).success, ...(description ? { description } : {}), schema };
      }),
    ];
    const responses: Record<string, unknown> = {};
    for (const [status, r] of Object.entries(op.responses)) {
      const content = r.schema
        ? { 'application/json': { schema: toSchema(r.schema, 'output') } }
        : r.type
          ? { [r.type]: { schema: { type: 'string' } } }
          : { 'application/json': {} };
      responses[status] = { description: r.description, content };
    }
    responses['400'] ??= errorResponse('Bad request: every problem by JSON path (body) or name (query).');
    responses['401'] = errorResponse('No token, or a wrong one.');
    if (op.role === 'operator') responses['403'] = errorResponse('A viewer token, or a cross-site request.');
    if (op.path.includes(':')) responses['404'] ??= errorResponse('No such campaign or call.');
    (paths[path] ??= {})[op.method] = {
      operationId: operationId(op),
      summary: op.summary,
      'x-role': op.role,
      ...(parameters.length ? { parameters } : {}),
      ...(op.body
        ? {
            requestBody: {
              required: true,
              content: Object.fromEntries(
                Object.entries(op.body).map(([type, b]) => [
                  type,
                  {
                    schema: toSchema(b.schema, 'input'),
                    ...(b.examples ? { examples: Object.fromEntries(b.examples.map((e, i) => [`example${i + 1}`, { value: e }])) } : {}),
                  },
                ]),
              ),
            },
          }
        : {}),
      responses,
    };
  }
  for (const c of EXTRA_COMPONENTS) toSchema(c.schema, c.io);
  toSchema(ErrorBody, 'output');
  cached = {
    openapi: '3.1.0',
    info: {
      title: 'ari-dialer HTTP API',
      version: packageVersion(),
      description: "Campaigns, contacts and calls over HTTP (docs/http-api.md). Generated from the routes' zod schemas.",
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }, { cookie: [] }],
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'DASHBOARD_TOKEN (operator) or DASHBOARD_VIEWER_TOKEN (viewer).' },
        cookie: {
          type: 'apiKey',
          in: 'cookie',
          name: 'dialer_token',
          description: 'Set by the login form; writes with it also need the X-Ari-Dialer header or a JSON type.',
        },
      },
    },
  };
  return cached;
}

type Json = Record<string, unknown>;

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

function operationId(op: ApiOperation): string {
  const words = op.path
    .split('/')
    .filter(Boolean)
    .map((p) => (p.startsWith(':') ? `by-${p.slice(1)}` : p.replace('.json', '')));
  return [op.method, ...words]
    .map((w, i) =>
      i === 0
        ? w
        : w
            .split(/[-_]/)
            .map((x) => x[0]!.toUpperCase() + x.slice(1))
            .join(''),
    )
    .join('');
}

/** Moves a generated schema's `$defs` into the components and points its refs there; drops `$schema`. */
function hoist(schema: Json, components: Json): Json {
  const { $defs, $schema: _s, ...rest } = schema as Json & { $defs?: Record<string, Json> };
  const fix = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(fix);
    if (typeof v !== 'object' || v === null) return v;
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [k, k === '$ref' && typeof x === 'string' ? x.replace('#/$defs/', '#/components/schemas/') : fix(x)]),
    );
  };
  for (const [id, def] of Object.entries($defs ?? {})) components[id] ??= fix(def);
  return fix(rest) as Json;
}

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}
