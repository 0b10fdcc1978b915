/**
 * The one list of an attempt's result fields that reports, history and the dashboard share: the CSV report's
 * columns in order, and the typed column each has in PostgreSQL's `attempts` table when it has one. A new result
 * field is added here once (and to CallResult), then shows up in the CSV report and, with `pg` and a migration,
 * in history; JSON, NDJSON and the webhook carry the whole record anyway.
 */
export interface ResultField {
  /** The record's field name (`campaign_id` is the record's `campaignId`). */
  readonly name: string;
  /** Its column in PostgreSQL's `attempts` table, and the migration that added it. */
  readonly pg?: { readonly type: 'text' | 'integer' | 'double precision' | 'boolean' | 'jsonb'; readonly since: number };
  /** A CSV column that is one key of an object field (`recording_state` is `recording.state`). */
  readonly part?: readonly [object: string, key: string];
}

export const RESULT_FIELDS = [
  { name: 'campaign_id' },
  { name: 'number' },
  { name: 'row' },
  { name: 'attempt' },
  { name: 'final' },
  { name: 'status' },
  { name: 'disposition' },
  { name: 'answered' },
  { name: 'cause' },
  { name: 'cause_txt' },
  { name: 'message' },
  { name: 'tech_cause' },
  { name: 'channel_id' },
  { name: 'endpoint' },
  { name: 'callerid' },
  { name: 'created_at' },
  { name: 'answered_at' },
  { name: 'ended_at' },
  { name: 'ring_s' },
  { name: 'talk_s' },
  { name: 'duration' },
  { name: 'amd_status' },
  { name: 'amd_cause' },
  { name: 'amd_ms' },
  // After the answer (issue 18): keys always; the message's fields when one ran; captured variables are columns of
  // their own (`captured_<VAR>`, named by the campaign's `capture` setting) and one jsonb column in history.
  { name: 'keys', pg: { type: 'text', since: 3 } },
  { name: 'first_key_s', pg: { type: 'double precision', since: 3 } },
  { name: 'flow', pg: { type: 'text', since: 3 } },
  { name: 'heard_s', pg: { type: 'double precision', since: 3 } },
  { name: 'message_done', pg: { type: 'boolean', since: 3 } },
  { name: 'opted_out', pg: { type: 'boolean', since: 3 } },
  { name: 'machine_message_s', pg: { type: 'double precision', since: 3 } },
  // The call's recording (issue 19): one CSV column per key; one jsonb column `recording` in history.
  { name: 'recording_name', part: ['recording', 'name'] },
  { name: 'recording_asterisk', part: ['recording', 'asterisk'] },
  { name: 'recording_format', part: ['recording', 'format'] },
  { name: 'recording_duration_s', part: ['recording', 'duration_s'] },
  { name: 'recording_state', part: ['recording', 'state'] },
] as const satisfies readonly ResultField[];

/**
 * Fields stored in history only as columns (not CSV columns): the captured variables as one object, the recording
 * as one object (its CSV columns are its keys).
 */
export const HISTORY_ONLY_FIELDS: readonly ResultField[] = [
  { name: 'captured', pg: { type: 'jsonb', since: 3 } },
  { name: 'recording', pg: { type: 'jsonb', since: 4 } },
];

export type ResultFieldName = (typeof RESULT_FIELDS)[number]['name'];

/** The fields with a typed history column added after the first schema, in the order they are listed. */
export const HISTORY_COLUMN_FIELDS: readonly ResultField[] = [...RESULT_FIELDS, ...HISTORY_ONLY_FIELDS].filter((f) => 'pg' in f && f.pg !== undefined);

const CAPTURED = 'captured_';

/** CSV column of a captured variable. */
export const capturedColumn = (name: string): string => `${CAPTURED}${name}`;

/** The captured variable a CSV column names (see {@link capturedColumn}), or undefined when it names none. */
export const capturedVariable = (column: string): string | undefined =>
  column.startsWith(CAPTURED) && column.length > CAPTURED.length ? column.slice(CAPTURED.length) : undefined;
