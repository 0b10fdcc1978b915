import { UnrecoverableError, type Job } from 'bullmq';
import { Agent, request } from 'undici';
import type { WebhookJobData } from '../src/campaign/webhook-events.js';
import type { Logger } from '../src/log.js';
import { WebhookDestinationError, WebhookDestinationGuard } from '../src/webhook/destination-guard.js';
import { IDEMPOTENCY_HEADER, SIGNATURE_HEADER, signBody } from '../src/webhook/sign.js';

export interface ReportResultDeps {
  log: Logger;
  /** Per-request deadline. @defaultValue 10000 */
  timeoutMs?: number;
  /** Where deliveries may connect (SSRF rules, `webhookAllowHosts`). @defaultValue the rules with an empty allow list */
  guard?: WebhookDestinationGuard;
}

/** Thrown for a receiver's non-2xx answer; BullMQ retries with exponential backoff. */
export class WebhookDeliveryError extends Error {
  override readonly name = 'WebhookDeliveryError';
  constructor(
    readonly status: number,
    url: string,
  ) {
    super(`webhook ${new URL(url).origin} answered ${status}`);
  }
}

/** POSTs one final result as JSON, signed, with an idempotency key. Runs on its own queue: never slows dialing. */
export const reportResult = (deps: ReportResultDeps) => {
  const guard = deps.guard ?? new WebhookDestinationGuard();
  // Every connection resolves through the guard: the address is checked after DNS, as it is dialed.
  const dispatcher = new Agent({ connect: { lookup: guard.lookup } });
  return async (job: Job<WebhookJobData>): Promise<{ status: number }> => {
    const { url, secret, idempotencyKey, record, event } = job.data;
    // A literal address never reaches lookup: checked here. A refusal is final (no retry), with the rule in the reason.
    const literal = guard.urlProblem(url);
    if (literal) throw new UnrecoverableError(literal.message);
    const body = JSON.stringify(
      event ? { ...event, idempotency_key: idempotencyKey } : { event: 'call.final', idempotency_key: idempotencyKey, result: record },
    );
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'ari-dialer',
      [IDEMPOTENCY_HEADER]: idempotencyKey,
    };
    if (secret) headers[SIGNATURE_HEADER] = signBody(secret, body);
    const timeout = deps.timeoutMs ?? 10_000;
    let res;
    try {
      res = await request(url, { method: 'POST', headers, body, headersTimeout: timeout, bodyTimeout: timeout, dispatcher });
    } catch (err) {
      if (err instanceof WebhookDestinationError || (err as { cause?: unknown }).cause instanceof WebhookDestinationError) {
        throw new UnrecoverableError((err instanceof WebhookDestinationError ? err : (err as { cause: WebhookDestinationError }).cause).message);
      }
      throw err;
    }
    await res.body.dump();
    if (res.statusCode < 200 || res.statusCode >= 300) throw new WebhookDeliveryError(res.statusCode, url);
    deps.log.debug(
      { campaignId: record?.campaignId ?? event?.campaign_id, webhookJobId: job.id, channelId: record?.channel_id, status: res.statusCode },
      'webhook delivered',
    );
    return { status: res.statusCode };
  };
};
