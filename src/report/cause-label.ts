/** How the dashboard's causes table names a hang-up cause: "Normal Clearing (16)", or "cause 0" without a text. */
export function causeLabel(rec: { cause?: unknown; cause_txt?: unknown }): string {
  const cause = Number(rec.cause) || 0;
  return typeof rec.cause_txt === 'string' && rec.cause_txt ? `${rec.cause_txt} (${cause})` : `cause ${cause}`;
}
