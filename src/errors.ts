/**
 * One catalogue of error codes. A caller branches on `code` (stable), never on the message.
 */
export type DialerErrorCode =
  | 'ARI_HTTP'
  | 'ARI_AUTH'
  | 'ARI_UNREACHABLE'
  | 'ARI_TIMEOUT'
  | 'ARI_NOT_ARI'
  | 'BAD_ARGUMENT'
  | 'BAD_CONFIG'
  | 'BAD_CSV'
  | 'BAD_JOB_DATA'
  | 'NOT_FOUND'
  | 'CANCELLED'
  | 'CAMPAIGN_ACTIVE'
  /** A webhook URL or the address it resolves to is inside (loopback, private, link-local…) and not allowed. */
  | 'WEBHOOK_REFUSED'
  /** The call history in PostgreSQL: not configured, not reachable, or a schema this version does not know. */
  | 'HISTORY';

export class DialerError extends Error {
  constructor(
    readonly code: DialerErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A bad value given by the user: names the argument or field and says what is wrong. */
export class BadArgumentError extends DialerError {
  constructor(
    readonly argument: string,
    message: string,
  ) {
    super('BAD_ARGUMENT', `${argument}: ${message}`);
  }
}

/** Bad configuration: every problem found, reported at once. */
export class ConfigError extends DialerError {
  constructor(readonly problems: readonly string[]) {
    super('BAD_CONFIG', `invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

/** A campaign that still dials (or still has calls or deliveries under way) cannot be deleted without `force`. */
export class CampaignActiveError extends DialerError {
  constructor(
    readonly campaignId: string,
    message: string,
  ) {
    super('CAMPAIGN_ACTIVE', message);
  }
}
