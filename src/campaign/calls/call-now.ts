import { channelIdFor } from '../../dialer/channel-id.js';
import { BadArgumentError, DialerError } from '../../errors.js';
import { chooseCallerId } from '../../policy/caller-id.js';
import { parseSettings, renderEndpoint, type CampaignSettings } from '../../policy/campaign-settings.js';
import type { CampaignService } from '../campaign-service.js';
import { assertTakesContacts } from '../takes-contacts.js';
import type { ContactData } from '../hopper/contact-table.js';
import { normalizeNumber } from '../import/phone-number.js';
import { overrideCellProblem, type OverrideColumn } from '../import/override-cells.js';
import { dialJobId, type DialJobData } from '../job-data.js';

/** The campaign calls go through when the request names none. */
export const DEFAULT_CALLS_CAMPAIGN = 'api-calls';

/** One call asked for now (POST /api/calls), already checked for shape by the API's schema. */
export interface CallNowInput {
  number: string;
  /** @defaultValue {@link DEFAULT_CALLS_CAMPAIGN} */
  campaign?: string;
  /** The campaign's settings, used only when it does not exist yet. */
  settings?: unknown;
  callerId?: string;
  context?: string;
  extension?: string;
  priority?: number;
  timeoutS?: number;
  variables?: Record<string, string>;
  /** This call's AMD, as the campaign setting `amd` (true, or its options), replacing the campaign's. */
  amd?: unknown;
  /** This call's message, as the campaign setting `message` (media, press rules...), replacing the campaign's. */
  message?: unknown;
  /** Ahead of the campaign's list (the next call it places), or after it. @defaultValue true */
  ahead?: boolean;
}

export interface PlacedCall {
  campaignId: string;
  number: string;
  /** The first attempt's channel id. */
  channelId: string;
  campaignCreated: boolean;
}

/** The campaign already has this number: the call asked for is that contact's, not a new one. */
export class DuplicateCallError extends DialerError {
  constructor(
    readonly campaignId: string,
    readonly number: string,
    readonly channelId: string,
  ) {
    super('CAMPAIGN_ACTIVE', `campaign ${campaignId} already has ${number} (its first call is ${channelId}); a number is called once per campaign`);
  }
}

/**
 * One call now, placed through a campaign so that its pacing, trunk limits, breaker, retries, history and webhook
 * apply: the number becomes one more contact of the campaign (created on first use), its first attempt's job added
 * at the head of the queue (`lifo`), so the next free slot dials it. The channel id is deterministic per campaign
 * and number: a repeated request cannot dial twice (the campaign's dedupe refuses the number, BullMQ the job id).
 */
export async function placeCall(service: CampaignService, input: CallNowInput): Promise<PlacedCall> {
  const n = normalizeNumber(input.number);
  if (!n.ok) throw new BadArgumentError('number', n.reason);
  const number = n.number;
  const refused = service.destinations.problem(number);
  if (refused !== undefined) throw new BadArgumentError('number', refused);
  const campaignId = input.campaign ?? DEFAULT_CALLS_CAMPAIGN;
  let campaignCreated = false;
  if (!(await service.store.get(campaignId))) {
    if (input.settings === undefined)
      throw new BadArgumentError('settings', `campaign ${campaignId} does not exist yet: give its settings (at least endpoint) to create it`);
    campaignCreated = await service.createNamed(campaignId, input.settings);
  }
  const meta = await service.get(campaignId);
  assertTakesContacts(meta);
  const s = meta.settings;
  checkOverrides(input, s.allowRowOverrides === true);
  const vars = input.variables ?? {};
  renderEndpoint(s.endpoint, number, vars); // a {placeholder} the call does not fill refuses it here, not at dial time
  const channelId = channelIdFor({ campaignId, contactKey: number, attempt: 1 });
  const data: ContactData = { tracked: true, ...afterAnswerOf(input, s) };
  const callerId = input.callerId ?? chooseCallerId({ fixed: s.callerId, pool: s.callerIdPool, match: s.callerIdMatch }, 0, number);
  if (callerId) data.callerId = callerId;
  if (input.context) data.context = input.context;
  if (input.extension) data.extension = input.extension;
  if (input.priority) data.priority = input.priority;
  if (input.timeoutS) data.timeoutS = input.timeoutS;
  if (Object.keys(vars).length) data.vars = vars;
  const ahead = input.ahead ?? true;

  let row = 0;
  if (meta.contacts === 'pg') {
    if (!service.contacts) throw new DialerError('HISTORY', `campaign ${campaignId} keeps its list in PostgreSQL: set DATABASE_URL to call through it`);
    // Queued at once when it goes ahead (its job is added below; a job lost before that is fed again by the hopper's
    // reconcile), else waiting at the end of the list for the feeder.
    const r = await service.contacts.insertOne(campaignId, { number, data, leadPriority: 0, state: ahead ? 'queued' : 'waiting' });
    if (!r.added) throw new DuplicateCallError(campaignId, number, channelId);
    row = r.row;
  } else if ((await service.redis.sadd(service.keys.numbers(campaignId), number)) === 0) {
    throw new DuplicateCallError(campaignId, number, channelId);
  }
  // Counted (and a finished campaign running again) before the job exists, so no worker sees it in a finished one.
  await service.store.addImportCounts(campaignId, { total: 1 });
  await service.contactsAdded(campaignId, 1);
  if (meta.contacts !== 'pg' || ahead) {
    const job: DialJobData = { ...data, campaignId, number, row, attempt: 1 };
    await service.dialQueue(campaignId).add('dial', job, { jobId: dialJobId(campaignId, number, 1), lifo: ahead });
  }
  return { campaignId, number, channelId, campaignCreated };
}

/**
 * The call's own `amd` and `message`, checked by the campaign settings' parser over the campaign's settings (so the
 * same rules hold: a machine message needs AMD, and so on). A problem names `amd` or `message`.
 */
function afterAnswerOf(input: CallNowInput, s: CampaignSettings): Pick<ContactData, 'amd' | 'callMessage'> {
  if (input.amd === undefined && input.message === undefined) return {};
  let parsed: CampaignSettings;
  try {
    parsed = parseSettings({
      ...s,
      ...(input.amd !== undefined ? { amd: input.amd } : {}),
      ...(input.message !== undefined ? { message: input.message } : {}),
    });
  } catch (err) {
    if (!(err instanceof BadArgumentError)) throw err;
    // One field named (the first with a problem): the route turns it into the problem's JSON path.
    const problems = err.message.slice(err.argument.length + 2).split('; ');
    const field = problems[0]!.startsWith('message') ? 'message' : 'amd';
    throw new BadArgumentError(
      field,
      problems
        .filter((p) => p.startsWith(field))
        .map((p) => p.replace(/^(amd|message)[:.]\s*/, ''))
        .join('; '),
    );
  }
  return {
    ...(input.amd !== undefined && parsed.amd ? { amd: parsed.amd } : {}),
    ...(input.message !== undefined && parsed.message ? { callMessage: parsed.message } : {}),
  };
}

/**
 * Where the call goes in the dial plan and what the callee sees are the campaign's unless it allows overrides
 * (`allowRowOverrides`, as for a list's columns), and each is checked as a list's cell is.
 */
function checkOverrides(input: CallNowInput, allowed: boolean): void {
  const given: Array<[string, OverrideColumn, string | number | undefined]> = [
    ['callerId', 'callerid', input.callerId],
    ['context', 'context', input.context],
    ['extension', 'extension', input.extension],
    ['priority', 'priority', input.priority],
  ];
  for (const [field, column, v] of given) {
    if (v === undefined) continue;
    if (!allowed)
      throw new BadArgumentError(
        field,
        `would override the campaign's ${column}, which it does not allow: set allowRowOverrides in its settings or leave ${field} out`,
      );
    const problem = overrideCellProblem(column, String(v));
    if (problem) throw new BadArgumentError(field, problem);
  }
}
