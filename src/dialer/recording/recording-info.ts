/**
 * What a result says of its call's recording (`recording` on CallResult): enough to find, play and delete the file.
 * `done`: the file is on Asterisk (`duration_s` whole seconds written, as Asterisk counts them); `failed`: no usable
 * file, `reason` says why in Asterisk's words. The call itself is never harmed by a recording that fails.
 */
export interface RecordingInfo {
  /** The stored recording's name on that Asterisk (GET /recordings/stored/{name}/file). */
  name: string;
  /** Which Asterisk holds it (the config file's `asterisks` name; `default` for ARI_URL or the simulator). */
  asterisk: string;
  format: string;
  /** Seconds of audio written; 0 when it failed. */
  duration_s: number;
  state: RecordingState;
  /** Why it failed, or how it was settled without Asterisk's RecordingFinished. */
  reason?: string;
}

export type RecordingState = 'done' | 'failed';

const STATES: readonly string[] = ['done', 'failed'];

/** Stored data (Redis, PostgreSQL, a job) is untrusted: a recording reference only when well formed. */
export function parseRecordingInfo(v: unknown): RecordingInfo | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o.name !== 'string' || typeof o.asterisk !== 'string' || typeof o.format !== 'string') return undefined;
  if (typeof o.duration_s !== 'number' || typeof o.state !== 'string' || !STATES.includes(o.state)) return undefined;
  return {
    name: o.name,
    asterisk: o.asterisk,
    format: o.format,
    duration_s: o.duration_s,
    state: o.state as RecordingState,
    ...(typeof o.reason === 'string' ? { reason: o.reason } : {}),
  };
}
