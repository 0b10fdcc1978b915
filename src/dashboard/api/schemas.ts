import { z } from 'zod';
import { DISPOSITIONS } from '../../dialer/call-result.js';
import { MAX_TIMEOUT_S } from '../../campaign/import/contact-row.js';

/**
 * The HTTP API's request and response schemas: routes validate with these (see validate.ts) and the OpenAPI document
 * is generated from them (openapi.ts). One definition per contract; `.meta({ id })` names a component.
 */

/** Errors listed in an import report; the counts say how many there were in all. */
export const MAX_LISTED_ERRORS = 1000;

/** Campaign ids are `slug-hex` (campaignIdFor) or a name given to POST /api/calls. */
export const CAMPAIGN_ID_PATTERN = /^[A-Za-z0-9_-]{1,100}$/;

const count = z.int().min(0);
const numeric = z.union([z.number(), z.string()], { error: 'must be a number' });

export const ErrorBody = z
  .object({
    error: z.looseObject({
      code: z.string().meta({ description: 'Stable code (BAD_ARGUMENT, NOT_FOUND, ROWS_REJECTED…): branch on this, never on the message.' }),
      message: z.string(),
      problems: z
        .array(z.object({ path: z.string(), message: z.string() }))
        .optional()
        .meta({ description: 'For 400 BAD_ARGUMENT: every problem, by JSONPath in the body (`$.settings.cps`) or query parameter (`?limit`).' }),
    }),
  })
  .meta({ id: 'Error' });

// ---- contacts ---------------------------------------------------------------------------------------------------

export const ContactsQuery = z.strictObject({
  skipInvalid: z
    .enum(['1', '0', 'true', 'false'])
    .optional()
    .meta({ description: 'Add the good rows and report the bad ones, instead of refusing the whole list (422).' }),
});

const cell = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export const ContactObject = z
  .looseObject({
    number: z.string().optional().meta({ description: "The number to dial (or `phone`, or the campaign's numberColumn). Required." }),
    callerid: z.string().optional(),
    context: z.string().optional(),
    extension: z.string().optional(),
    priority: z.union([z.string(), z.int()]).optional().meta({ description: 'Dialplan priority.' }),
    timeout: z
      .union([z.string(), z.int()])
      .optional()
      .meta({ description: `Ring time in seconds, 1 to ${MAX_TIMEOUT_S}.` }),
    timezone: z.string().optional().meta({ description: 'IANA zone of the contact, for calling windows.' }),
    lead_priority: z.union([z.string(), z.int()]).optional().meta({ description: 'Order in the list (lists in PostgreSQL): higher first, then row order.' }),
    message: z
      .union([z.string(), z.array(z.string())])
      .optional()
      .meta({ description: "The row's own message media." }),
  })
  .catchall(cell)
  .meta({
    id: 'Contact',
    description:
      "One contact: the fields a CSV's columns would be; every other field becomes a channel variable. Checked row by row (a bad one is a row error naming its path), not by this schema.",
  });

export const RowError = z.object({
  line: z.int().meta({ description: 'Line of the body where the row starts.' }),
  reason: z.string(),
  path: z.string().optional().meta({ description: 'JSON and NDJSON bodies: JSONPath of the object (`$[3]`, `$[3].name`).' }),
});

export const importCounts = {
  rows: count,
  accepted: count.meta({ description: 'Numbers added.' }),
  rejected: count.meta({ description: 'Bad rows (all counted; at most 1000 listed in `errors`).' }),
  suppressed: count.meta({ description: 'Numbers on the do-not-call list.' }),
  duplicates: count.meta({ description: 'Numbers the campaign (or the list itself) already had.' }),
  errors: z.array(RowError),
};

export const ContactsAdded = z.object({ id: z.string(), stored: z.literal(true), ...importCounts }).meta({ id: 'ContactsAdded' });
export const ContactsRejected = z
  .object({ error: z.object({ code: z.literal('ROWS_REJECTED'), message: z.string(), ...importCounts }) })
  .meta({ id: 'ContactsRejected' });

// ---- calls ------------------------------------------------------------------------------------------------------

/** `amd`, as the campaign setting and `dial --amd`: shape shown here, every field checked by parseAmdOptions. */
export const AmdInput = z
  .union([
    z.literal(true),
    z.looseObject({ onMachine: z.unknown().optional(), notSureAs: z.enum(['human', 'machine']).optional(), context: z.string().optional() }),
  ])
  .meta({
    id: 'AmdInput',
    description:
      'Answering-machine detection: true for the defaults, or its options (README, "Answering machines"); checked by the same parser as the campaign setting.',
  });

/** `message`, as the campaign setting and `dial --message …`: checked by parseMessageOptions. */
export const MessageInput = z
  .union([
    z.string(),
    z.array(z.string()),
    z.looseObject({
      media: z
        .union([z.string(), z.array(z.string())])
        .optional()
        .meta({ description: 'What plays once answered, e.g. "sound:promo".' }),
      press: z.unknown().optional().meta({ description: 'Keys and their actions, e.g. ["1=sales,s,1", "9=optout"].' }),
      pressWaitS: numeric.optional(),
      repeat: numeric.optional(),
      machineMessage: z.unknown().optional().meta({ description: 'What a machine hears after the beep (needs amd).' }),
    }),
  ])
  .meta({
    id: 'MessageInput',
    description:
      'A message played once answered, with press-1 rules (README, "Voice broadcast with press-1"); checked by the same parser as the campaign setting.',
  });

/** Campaign settings as given to create a campaign: the main fields shown, every field checked by parseSettings. */
export const CampaignSettingsInput = z
  .looseObject({
    endpoint: z.string().meta({ description: 'Endpoint template, `{number}` (and any column in braces) filled per call.', examples: ['PJSIP/{number}@trunk'] }),
    cps: numeric.optional().meta({ description: 'Calls per second across all workers. Default 5.' }),
    maxConcurrent: numeric.optional().meta({ description: 'Channels in flight across all workers. Default 20.' }),
    callerId: z.string().optional(),
    context: z.string().optional(),
    extension: z.string().optional(),
    priority: numeric.optional(),
    timeoutS: numeric.optional().meta({ description: 'Ring time in seconds. Default 30.' }),
    retry: z
      .union([z.string(), z.looseObject({})])
      .optional()
      .meta({ description: 'Retry policy, e.g. "busy=2@5m,no_answer=1@1h".' }),
    allowRowOverrides: z.boolean().optional().meta({ description: 'Whether a row (or a call) may set its own callerid, context, extension and priority.' }),
    webhook: z
      .union([z.string(), z.looseObject({ url: z.string() })])
      .optional()
      .meta({ description: 'Where results are POSTed (URL, or { url, secret, ratePerSecond, attempts }).' }),
    amd: z.union([AmdInput, z.literal(false)]).optional(),
    message: MessageInput.optional(),
  })
  .meta({
    id: 'CampaignSettings',
    description:
      'As for an upload (docs/campaigns.md; every setting in docs/production.md); every field is checked by the settings parser, which names each bad or unknown one.',
  });

const VAR_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

export const CallRequest = z
  .strictObject({
    number: z
      .string()
      .min(1)
      .max(40)
      .meta({ description: 'The number to call; normalized as an import does.', examples: ['+493012345678'] }),
    campaign: z.string().regex(CAMPAIGN_ID_PATTERN).optional().meta({
      description: 'Campaign to place it through (pacing, trunk limits, breaker, retries, history, webhook apply). Created on first use with `settings`.',
      default: 'api-calls',
    }),
    settings: CampaignSettingsInput.optional().meta({ description: 'Only when the campaign does not exist yet: its settings.' }),
    callerId: z.string().min(1).max(80).optional().meta({ description: "These four override the campaign's: only when its settings have allowRowOverrides." }),
    context: z.string().min(1).max(79).optional(),
    extension: z.string().min(1).max(79).optional(),
    priority: z.int().min(1).max(999_999).optional().meta({ description: 'Dialplan priority.' }),
    timeoutS: z.int().min(1).max(MAX_TIMEOUT_S).optional().meta({ description: 'Ring time in seconds.' }),
    variables: z
      .record(z.string().regex(VAR_NAME, 'a channel variable name: a letter, then letters, digits and _'), z.string().max(1024))
      .refine((v) => Object.keys(v).length <= 64, 'at most 64 variables')
      .optional()
      .meta({ description: 'Channel variables of the call.' }),
    amd: AmdInput.optional().meta({ description: "This call's AMD, replacing the campaign's (as `dial --amd`)." }),
    message: MessageInput.optional().meta({ description: "This call's message, replacing the campaign's (as `dial --message`)." }),
    ahead: z.boolean().default(true).meta({ description: "Ahead of the campaign's list (the next call it places); false: after it." }),
  })
  .meta({ id: 'CallRequest' });
export type CallRequestBody = z.output<typeof CallRequest>;

export const CALL_STATES = ['queued', 'dialing', 'ringing', 'answered', 'ended'] as const;

export const CallAccepted = z
  .object({
    channelId: z.string().meta({ description: "The first attempt's Asterisk channel id (deterministic: a retried request cannot dial twice)." }),
    campaignId: z.string(),
    number: z.string(),
    state: z.enum(CALL_STATES),
    statusUrl: z.string().meta({ description: 'GET it for where the call stands, then its result.' }),
    campaignCreated: z.boolean(),
  })
  .meta({ id: 'CallAccepted' });

export const CallResult = z
  .looseObject({
    disposition: z.enum(DISPOSITIONS),
    answered: z.boolean(),
    channel_id: z.string(),
    attempt: z.int(),
    final: z.boolean().optional(),
  })
  .meta({ id: 'CallResult', description: 'The attempt\'s result: the fields of a report row (docs/campaigns.md, "Results").' });

export const CallStatus = z
  .object({
    channelId: z.string(),
    campaignId: z.string(),
    number: z.string(),
    attempt: z.int(),
    state: z.enum(CALL_STATES),
    since: z.string().optional().meta({ description: 'dialing/answered: when the attempt started.' }),
    result: CallResult.optional().meta({ description: "ended: this attempt's result." }),
    retry: z
      .object({ channelId: z.string(), statusUrl: z.string() })
      .optional()
      .meta({ description: 'ended, not final: the retry the retry policy scheduled.' }),
  })
  .meta({ id: 'CallStatus' });
