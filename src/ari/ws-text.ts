import type WebSocket from 'ws';

/** A WebSocket message's text, however ws framed it (one Buffer, fragments, or an ArrayBuffer). */
export function wsText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(new Uint8Array(data)).toString('utf8');
  return data.toString('utf8');
}
