/** From when a call is recorded. */
export type RecordMode = 'answered' | 'all';
export const RECORD_MODES: readonly RecordMode[] = ['answered', 'all'];

/**
 * Recording a call (`--record`): a snoop channel on the callee's channel records both directions into Asterisk's
 * recording directory, under a name derived from the channel id, while the call goes on in the dialplan.
 */
export interface RecordOptions {
  /**
   * `answered`: from the answer (the callee's first word on); `all`: from the originate, so early media and ringing
   * are kept too. @defaultValue 'answered'
   */
  mode: RecordMode;
  /** A format Asterisk can write (`wav`, `gsm`, `ulaw`, `alaw`, `sln`, `wav49`…). @defaultValue 'wav' */
  format: string;
  /**
   * Media played to the callee before recording starts (`sound:recording-notice`), where the law asks that the
   * callee be told. @defaultValue none
   */
  notice?: string;
  /** The Asterisk that makes the recording, as the config file names it: where the dashboard fetches it from. */
  asterisk: string;
}

/** Asterisk's format names are short words (formats/format_*.c); anything else is a typo, said before dialing. */
const FORMAT = /^[a-z0-9]{1,16}$/i;
/** A media URI as ARI's play takes it: `sound:`, `recording:`, `number:`, `digits:`, `characters:`, `tone:`. */
const MEDIA = /^(sound|recording|number|digits|characters|tone):[^\s]{1,200}$/;

/** Checks what a flag, a setting or stored data says about recording; every problem names its field. */
export function checkRecordOptions(
  raw: { mode?: unknown; format?: unknown; notice?: unknown },
  asterisk: string,
  problems: string[],
  prefix = 'record',
): RecordOptions | undefined {
  const before = problems.length;
  const mode = raw.mode ?? 'answered';
  if (!RECORD_MODES.includes(mode as RecordMode)) problems.push(`${prefix}: must be answered or all, got ${JSON.stringify(mode)}`);
  const format = raw.format ?? 'wav';
  if (typeof format !== 'string' || !FORMAT.test(format))
    problems.push(`${prefix}Format: must be a format name Asterisk writes (wav, gsm, ulaw, alaw, sln, wav49…), got ${JSON.stringify(format)}`);
  const notice = raw.notice;
  if (notice !== undefined && (typeof notice !== 'string' || !MEDIA.test(notice))) {
    problems.push(`${prefix}Notice: must be a media URI such as sound:recording-notice, got ${JSON.stringify(notice)}`);
  }
  if (problems.length > before) return undefined;
  return { mode: mode as RecordMode, format: format as string, ...(typeof notice === 'string' ? { notice } : {}), asterisk };
}

/** The recording's name on Asterisk: the channel id, unique per attempt, so a re-run never overwrites another call. */
export const recordingNameFor = (channelId: string): string => channelId;
/** Our snoop channel's id: derived too, so a second worker following the call cannot start a second snoop. */
export const snoopIdFor = (channelId: string): string => `${channelId}-rec`;
