/** Counters a test or benchmark reads to check what a client did to the simulated Asterisk. */
export interface SimStats {
  /** Accepted originates (a 409 duplicate or any 4xx/5xx is not counted). */
  originates: number;
  originatesByEndpoint: Map<string, number>;
  /** Keyed by the originated channel's id (the `;1` half for Local). */
  originatesByChannelId: Map<string, number>;
  /** Date.now() of each accepted originate, for pacing assertions. */
  originateTimestamps: number[];
  /** Originated channels alive now (the `;1` / main channel only). */
  activeChannels: number;
  peakActiveChannels: number;
  /** Successful (204) continue calls. */
  continues: number;
  /** Every HTTP request that was not a WebSocket upgrade, whatever its answer. */
  restRequests: number;
  /** Continue answered 409 (channel not in Stasis). */
  rejectedContinues: number;
}

export function createStats(): SimStats {
  return {
    originates: 0,
    originatesByEndpoint: new Map(),
    originatesByChannelId: new Map(),
    originateTimestamps: [],
    activeChannels: 0,
    peakActiveChannels: 0,
    continues: 0,
    restRequests: 0,
    rejectedContinues: 0,
  };
}

/**
 * Zeroes the counters in place (holders of the object keep seeing the live one). `activeChannels` is a gauge of
 * what lives now, so it stays, and the peak restarts from it.
 */
export function resetStats(stats: SimStats): void {
  stats.originates = 0;
  stats.originatesByEndpoint.clear();
  stats.originatesByChannelId.clear();
  stats.originateTimestamps.length = 0;
  stats.peakActiveChannels = stats.activeChannels;
  stats.continues = 0;
  stats.restRequests = 0;
  stats.rejectedContinues = 0;
}

export function countOriginate(stats: SimStats, endpoint: string, channelId: string, now: number): void {
  stats.originates += 1;
  stats.originatesByEndpoint.set(endpoint, (stats.originatesByEndpoint.get(endpoint) ?? 0) + 1);
  stats.originatesByChannelId.set(channelId, (stats.originatesByChannelId.get(channelId) ?? 0) + 1);
  stats.originateTimestamps.push(now);
  stats.activeChannels += 1;
  if (stats.activeChannels > stats.peakActiveChannels) stats.peakActiveChannels = stats.activeChannels;
}
