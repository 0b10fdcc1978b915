/**
 * The recording formats the simulator writes, as Asterisk 20's format modules register them (formats/format_*.c):
 * the name `record?format=` takes, the file extension (the stored recording's and the Content-Type's), and the bytes
 * one second of 8 kHz audio takes. ast_get_format_for_file_ext() finds a format by any of its extensions, so
 * `format=` accepts each of them.
 */
export interface AudioFormat {
  /** What `format=` names and what the recording reports. */
  readonly name: string;
  /** The file's extension: Content-Type `audio/<ext>` (res/ari/resource_recordings.c). */
  readonly ext: string;
  /** Bytes per second of audio. */
  readonly bytesPerSecond: number;
  /** Bytes of the file header (0 for raw formats). */
  readonly headerBytes: number;
  /** Writes `seconds` of generated audio, header included. */
  render(durationMs: number, start: number, count: number): Buffer;
}

const RATE = 8000;

/** format_wav.c: RIFF/WAVE, PCM 16-bit mono at 8 kHz, a 44-byte header. */
const WAV: AudioFormat = {
  name: 'wav',
  ext: 'wav',
  bytesPerSecond: RATE * 2,
  headerBytes: 44,
  render: (ms, start, count) => slice(wavHeader(pcmBytes(ms)), pcmTone, start, count),
};

/** format_pcm.c (ulaw, alaw: 8 bits a sample, no header), format_sln.c (16-bit signed linear, no header). */
const RAW = (name: string, ext: string, bytesPerSample: number, fill: number): AudioFormat => ({
  name,
  ext,
  bytesPerSecond: RATE * bytesPerSample,
  headerBytes: 0,
  render: (ms, start, count) => slice(Buffer.alloc(0), () => fill, start, count),
});

/** format_gsm.c: 33-byte GSM 06.10 frames of 20 ms; every frame starts with the 0xD signature nibble. */
const GSM: AudioFormat = {
  name: 'gsm',
  ext: 'gsm',
  bytesPerSecond: 1650,
  headerBytes: 0,
  render: (_ms, start, count) => slice(Buffer.alloc(0), (i) => (i % 33 === 0 ? 0xd8 : 0x20), start, count),
};

/** format_wav_gsm.c: GSM in a RIFF/WAVE file (WAVE_FORMAT_GSM610), 65 bytes per 40 ms, extension `WAV`. */
const WAV49: AudioFormat = {
  name: 'wav49',
  ext: 'WAV',
  bytesPerSecond: 1625,
  headerBytes: 60,
  render: (ms, start, count) => slice(wav49Header(fileBytes(WAV49, ms) - 60), () => 0, start, count),
};

function wav49Header(dataBytes: number): Buffer {
  const h = Buffer.alloc(60);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(52 + dataBytes, 4);
  h.write('WAVEfmt ', 8, 'ascii');
  h.writeUInt32LE(20, 16);
  h.writeUInt16LE(0x31, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(RATE, 24);
  h.writeUInt32LE(1625, 28);
  h.writeUInt16LE(65, 32);
  h.writeUInt16LE(0, 34);
  h.writeUInt16LE(2, 36);
  h.writeUInt16LE(320, 38);
  h.write('fact', 40, 'ascii');
  h.writeUInt32LE(4, 44);
  h.writeUInt32LE(Math.floor((dataBytes / 65) * 320), 48);
  h.write('data', 52, 'ascii');
  h.writeUInt32LE(dataBytes, 56);
  return h;
}

const FORMATS: readonly AudioFormat[] = [WAV, WAV49, GSM, RAW('ulaw', 'ulaw', 1, 0xff), RAW('alaw', 'alaw', 1, 0xd5), RAW('sln', 'sln', 2, 0x00)];

/** Other extensions of the same formats (format_pcm.c: "pcm|ulaw|ul|mu|ulw", "alaw|al|alw"; format_sln.c "sln|raw"). */
const ALIASES: Readonly<Record<string, string>> = { WAV: 'wav49', pcm: 'ulaw', ul: 'ulaw', mu: 'ulaw', ulw: 'ulaw', al: 'alaw', alw: 'alaw', raw: 'sln' };

/** The format for `format=`, or undefined (422 "specified format is unknown on this system"). */
export function audioFormat(name: string): AudioFormat | undefined {
  const key = ALIASES[name] ?? name;
  return FORMATS.find((f) => f.name === key);
}

/** File size for a recording of `durationMs`: whole 20 ms frames, as Asterisk writes them. */
export function fileBytes(format: AudioFormat, durationMs: number): number {
  const frames = Math.floor(Math.max(0, durationMs) / 20);
  return format.headerBytes + Math.round((frames * format.bytesPerSecond) / 50);
}

function pcmBytes(ms: number): number {
  return fileBytes(WAV, ms) - WAV.headerBytes;
}

function wavHeader(dataBytes: number): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(1, 22); // mono
  h.writeUInt32LE(RATE, 24);
  h.writeUInt32LE(RATE * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

/** A quiet 440 Hz tone, so a demo recording is heard to play (byte `i` of the PCM data, little-endian). */
function pcmTone(i: number): number {
  const sample = Math.round(1200 * Math.sin((2 * Math.PI * 440 * Math.floor(i / 2)) / RATE)) & 0xffff;
  return i % 2 === 0 ? sample & 0xff : sample >> 8;
}

/** Bytes [start, start+count) of header + generated body. */
function slice(header: Buffer, body: (i: number) => number, start: number, count: number): Buffer {
  const out = Buffer.alloc(count);
  for (let k = 0; k < count; k++) {
    const at = start + k;
    out[k] = at < header.length ? header[at]! : body(at - header.length);
  }
  return out;
}
