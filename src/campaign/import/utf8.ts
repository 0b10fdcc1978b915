/**
 * UTF-8 helpers for checking a stream chunk by chunk. The fast path is `buffer.isUtf8` (native); the scanner below
 * only runs once a chunk has failed, to say where.
 */

/** How many bytes a sequence starting with `lead` has, or 0 when `lead` cannot start one. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0; // continuation byte, overlong lead (C0, C1) or beyond U+10FFFF (F5..FF)
}

/**
 * Length of a multi-byte sequence cut off by the end of `buf` (0 to 3). Those bytes must wait for the next chunk
 * before they can be judged. Bytes that are simply invalid are left for the validator to find.
 */
export function incompleteTailLength(buf: Uint8Array): number {
  const end = buf.length;
  for (let back = 1; back <= 3 && back <= end; back++) {
    const byte = buf[end - back]!;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: the lead is further back
    const expected = sequenceLength(byte);
    return expected > back ? back : 0;
  }
  return 0;
}

/**
 * Offset of the first byte of `buf` that is not well-formed UTF-8 (same rules as WHATWG/`isUtf8`: no overlongs,
 * no surrogates, nothing past U+10FFFF), or -1. A sequence cut off by the end counts as invalid.
 */
export function firstInvalidUtf8(buf: Uint8Array): number {
  let i = 0;
  while (i < buf.length) {
    const lead = buf[i]!;
    const length = sequenceLength(lead);
    if (length === 0) return i;
    if (length === 1) {
      i++;
      continue;
    }
    // The second byte has a narrower range for some leads: that is what rules out overlongs and surrogates.
    let low = 0x80;
    let high = 0xbf;
    if (lead === 0xe0) low = 0xa0;
    else if (lead === 0xed) high = 0x9f;
    else if (lead === 0xf0) low = 0x90;
    else if (lead === 0xf4) high = 0x8f;
    for (let k = 1; k < length; k++) {
      const byte = buf[i + k];
      if (byte === undefined) return i;
      const min = k === 1 ? low : 0x80;
      const max = k === 1 ? high : 0xbf;
      if (byte < min || byte > max) return i;
    }
    i += length;
  }
  return -1;
}
