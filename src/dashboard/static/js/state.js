// What the page is showing; shared by the views.
export const state = {
  role: 'viewer',
  /** Largest upload the server takes, in bytes (from /api/whoami). */
  maxUploadBytes: 0,
  view: undefined,
  campaignId: undefined,
  /** The last snapshot of the campaign on screen. */
  detail: undefined,
  /** Server time minus browser time, ms: running durations use the server's clock. */
  clockSkew: 0,
  results: { offset: 0, disposition: '', loading: false, lastLoad: 0, trailing: undefined },
};
