import { randomUUID } from 'node:crypto';

export interface ChannelIdParts {
  campaignId: string;
  /** Stable key of the contact within its campaign (row number or dedupe key). */
  contactKey: string;
  /** OUR attempt number (1, 2, ... by retry policy), never BullMQ's attemptsMade: a re-run must reuse the id. */
  attempt: number;
}

const unsafe = /[^A-Za-z0-9._-]/g;

/**
 * Deterministic channel id for one attempt. A job that runs again after a crash originates with the same id,
 * so Asterisk answers 409 instead of dialing the number a second time.
 */
export function channelIdFor(parts: ChannelIdParts): string {
  if (!Number.isInteger(parts.attempt) || parts.attempt < 1) throw new RangeError('attempt must be an integer >= 1');
  const id = `dlr-${parts.campaignId.replace(unsafe, '_')}-${parts.contactKey.replace(unsafe, '_')}-a${parts.attempt}`;
  // Asterisk keeps unique ids up to 149 characters (AST_MAX_UNIQUEID).
  if (id.length > 140) throw new RangeError(`channel id too long (${id.length} > 140): shorten the campaign id`);
  return id;
}

/**
 * The campaign of one of our channel ids, among the campaigns `known` (the longest that fits, since one campaign id
 * may begin another's). Undefined for a channel of none of them.
 */
export function campaignOfChannel(channelId: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  for (const id of known) {
    if (channelId.startsWith(`dlr-${id.replace(unsafe, '_')}-`) && (best === undefined || id.length > best.length)) best = id;
  }
  return best;
}

/** A one-off call (the `dial` CLI) has no campaign: a random id still lets us match early events. */
export const oneOffChannelId = (): string => `dial-${randomUUID()}`;
