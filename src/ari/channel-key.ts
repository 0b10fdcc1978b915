import type { AriEvent } from './types.generated.js';

/**
 * The id our call is filed under: a Local channel's `;2` half and `Dial` events all map to the `;1` id we chose.
 * Recording and playback events carry no channel: they are filed under the channel they record or play on
 * (`target_uri` `channel:<id>`).
 */
export function channelKeyOf(event: AriEvent): string | undefined {
  const e = event as { channel?: { id?: unknown }; peer?: { id?: unknown }; recording?: { target_uri?: unknown }; playback?: { target_uri?: unknown } };
  // Dial events describe the dialed side in `peer`; that is our originated channel.
  const id = event.type === 'Dial' ? e.peer?.id : e.channel?.id;
  if (typeof id !== 'string') {
    const target = e.recording?.target_uri ?? e.playback?.target_uri;
    return typeof target === 'string' && target.startsWith('channel:') ? target.slice(8) : undefined;
  }
  return id.endsWith(';2') ? id.slice(0, -2) : id;
}
