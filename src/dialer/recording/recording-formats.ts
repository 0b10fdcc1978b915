/**
 * What a recording's format means for whoever serves or saves the file. Asterisk's own answer is `audio/<ext>`
 * (res/ari/resource_recordings.c builds it from the file extension: `audio/ulaw`, `audio/WAV`), which no browser
 * knows; these are the registered or customary types, and the extension Asterisk writes (formats/format_*.c).
 */
export interface RecordingFormatInfo {
  /** Content-Type to serve the file with. */
  contentType: string;
  /** File extension on Asterisk and in a download (`wav49` is `WAV`: GSM in a RIFF file). */
  ext: string;
  /** Whether common browsers play it in an `<audio>` element. */
  browserPlays: boolean;
}

const FORMATS: Readonly<Record<string, RecordingFormatInfo>> = {
  wav: { contentType: 'audio/wav', ext: 'wav', browserPlays: true },
  wav49: { contentType: 'audio/wav', ext: 'WAV', browserPlays: false },
  gsm: { contentType: 'audio/x-gsm', ext: 'gsm', browserPlays: false },
  ulaw: { contentType: 'audio/basic', ext: 'ulaw', browserPlays: false },
  alaw: { contentType: 'audio/x-alaw-basic', ext: 'alaw', browserPlays: false },
  sln: { contentType: 'audio/L16;rate=8000', ext: 'sln', browserPlays: false },
  sln16: { contentType: 'audio/L16;rate=16000', ext: 'sln16', browserPlays: false },
  g722: { contentType: 'audio/G722', ext: 'g722', browserPlays: false },
  ogg: { contentType: 'audio/ogg', ext: 'ogg', browserPlays: true },
};

/** The format's type and extension; an unknown one is served as bytes under its own name. */
export function recordingFormat(format: string): RecordingFormatInfo {
  return (
    FORMATS[format] ??
    FORMATS[format.toLowerCase()] ?? { contentType: 'application/octet-stream', ext: format.replace(/[^A-Za-z0-9]/g, '') || 'bin', browserPlays: false }
  );
}
