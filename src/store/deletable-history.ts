/**
 * What `campaign delete --history` needs from a history store (the PostgreSQL one, when DATABASE_URL is set). Kept
 * this small so any history store can offer it; without one, deleting touches Redis only.
 */
export interface DeletableHistory {
  /** Deletes the campaign and every attempt and final result of it. Idempotent: an unknown id deletes nothing. */
  deleteCampaign(campaignId: string): Promise<{ attempts?: number } | void>;
}
