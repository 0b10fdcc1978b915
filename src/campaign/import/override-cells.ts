/**
 * The CSV columns that override what the campaign says for one row: where the answered call goes in the dial plan
 * (`context`, `extension`, `priority`) and what the callee sees (`callerid`). They come from a file, often a
 * customer's: each cell is checked here, and the columns are only read when the campaign allows it
 * (`allowRowOverrides`), since they send a call somewhere the operator did not choose.
 */
export const OVERRIDE_COLUMNS = ['context', 'extension', 'priority', 'callerid'] as const;
export type OverrideColumn = (typeof OVERRIDE_COLUMNS)[number];

/** Asterisk's dial plan names (pbx.h AST_MAX_CONTEXT/AST_MAX_EXTENSION is 80 with the NUL). */
const CONTEXT = /^[A-Za-z0-9_.-]{1,79}$/;
const EXTENSION = /^[A-Za-z0-9*#+_.-]{1,79}$/;
const PRIORITY = /^[1-9]\d{0,5}$/;
/** A caller id's number: E.164 (`+` then up to 15 digits, not starting with 0) or plain digits. */
const CID_NUMBER = String.raw`(?:\+[1-9]\d{1,14}|\d{1,20})`;
/** A caller id's name: letters and digits first (no formula prefix), then also space and . , ' & ( ) _ - */
const CID_NAME = String.raw`[\p{L}\p{N}][\p{L}\p{N} .,'&()_-]{0,59}`;
const CALLER_ID = new RegExp(String.raw`^(?:${CID_NUMBER}|"${CID_NAME}" <${CID_NUMBER}>|${CID_NAME} <${CID_NUMBER}>)$`, 'u');
export const MAX_CALLER_ID_LENGTH = 80;

/** Why a cell of an override column cannot be used, or undefined. Messages quote at most 40 characters of the cell. */
export function overrideCellProblem(column: OverrideColumn, value: string): string | undefined {
  const shown = JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  switch (column) {
    case 'context':
      return CONTEXT.test(value) ? undefined : `${shown} is not a dial plan context (letters, digits, "_", "-", "." only, at most 79)`;
    case 'extension':
      return EXTENSION.test(value) ? undefined : `${shown} is not a dial plan extension (letters, digits and * # + _ - . only, at most 79)`;
    case 'priority':
      return PRIORITY.test(value) ? undefined : `${shown} is not a priority (a whole number from 1 to 999999)`;
    case 'callerid':
      if (value.length > MAX_CALLER_ID_LENGTH) return `is ${value.length} characters long, at most ${MAX_CALLER_ID_LENGTH}`;
      return CALLER_ID.test(value)
        ? undefined
        : `${shown} is not a caller id: give +4930123456, "Name" <+4930123456> or Name <+4930123456> (letters, digits, space and . , ' & ( ) _ - in the name; no formula sign first)`;
  }
}
