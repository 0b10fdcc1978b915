import { z } from 'zod';

/** `GET /api/audit`: which actions, newest first. */
export const AuditQuery = z.strictObject({
  campaign: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,100}$/, 'not a campaign id')
    .optional()
    .meta({ description: "Only this campaign's actions." }),
  since: z.string().optional().meta({ description: 'Only since: a span back from now (30m, 12h, 1d, 2w) or an ISO time with a zone.' }),
  limit: z.coerce.number().int().min(1).max(1000).default(100).meta({ description: 'At most this many entries.' }),
});

export const AuditEntrySchema = z.object({
  at: z.string().meta({ description: 'ISO time.' }),
  who: z.string().meta({ description: 'The token\'s name; "local" on an open dashboard; user@host from the CLI; "-" for a wrong token.' }),
  from: z.string().meta({ description: "The client address (as trustProxy decides) or the CLI's host." }),
  via: z.enum(['web', 'cli']),
  action: z.string().meta({ description: 'campaign.create, campaign.pause, …, call.now, suppression.add, login, login.failed.' }),
  campaignId: z.string().optional(),
  outcome: z.enum(['ok', 'refused', 'failed']),
  detail: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))
    .optional()
    .meta({ description: 'Plain facts about the action; never a credential.' }),
});

export const AuditEntries = z.object({ entries: z.array(AuditEntrySchema) });
