// The simulator in a process of its own (as sim-process.ts runs it) that also answers its counters over IPC, so a
// bench can count originates per channel id (double dials) without sharing the dialer's CPU.
// Started by startSimWithStats; argv: the time scale.
import { AriSim } from '../../src/sim/index.js';
import { maxInCalendarSecond, maxInOneSecond } from './bench-support.js';

export interface SimStatsReply {
  originates: number;
  /** Channel ids originated more than once, with their count. */
  repeated: Array<[string, number]>;
  /** Distinct channel ids originated. */
  channels: number;
  /** Date.now() of the first and last accepted originate. */
  firstAt: number;
  lastAt: number;
  peakActiveChannels: number;
  /** Originates in the busiest calendar second. */
  maxInCalendarSecond: number;
  /** Originates in the busiest sliding one-second window. */
  maxInSlidingSecond: number;
}

const sim = await AriSim.start({ port: 0, users: { bench: 'bench' }, timeScale: Number(process.argv[2] ?? '0.05') });
process.send!({ url: sim.url });
process.on('message', (m: unknown) => {
  if (m === 'stats') {
    const s = sim.stats;
    const reply: SimStatsReply = {
      originates: s.originates,
      repeated: [...s.originatesByChannelId].filter(([, n]) => n > 1),
      channels: s.originatesByChannelId.size,
      firstAt: s.originateTimestamps[0] ?? 0,
      lastAt: s.originateTimestamps.at(-1) ?? 0,
      peakActiveChannels: s.peakActiveChannels,
      maxInCalendarSecond: maxInCalendarSecond(s.originateTimestamps),
      maxInSlidingSecond: maxInOneSecond(s.originateTimestamps),
    };
    process.send!(reply);
  } else if (m === 'reset') {
    sim.resetStats();
    process.send!({ reset: true });
  }
});
process.on('SIGTERM', () => void sim.stop().then(() => process.exit(0)));
