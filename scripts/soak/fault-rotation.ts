import type { AriSim } from '../../src/sim/index.js';

/** What the soak can break, in the order it breaks them. */
export const FAULTS = ['socket-drop', 'rest-5xx-burst', 'slow-rest', 'worker-sigkill', 'connection-reset', 'asterisk-restart', 'trunk-outage'] as const;
export type FaultName = (typeof FAULTS)[number];

export interface FaultTargets {
  sim: AriSim;
  /** Kills one worker process with SIGKILL and starts a fresh one in its place. */
  killAndReplaceWorker(): Promise<void>;
}

export interface FaultRecord {
  fault: FaultName;
  at: string;
  /** Calls alive on the simulated Asterisk when it hit. */
  inFlight: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Injects one fault and returns once it is over (a burst lasts a few seconds; the rest is instantaneous). */
export async function inject(fault: FaultName, t: FaultTargets): Promise<void> {
  switch (fault) {
    case 'socket-drop':
      t.sim.faults.dropSockets();
      return;
    case 'rest-5xx-burst':
      // Every REST request fails for 3 s (originates, continues, hangups, lookups), without being carried out.
      t.sim.faults.failRest(503);
      await sleep(3000);
      t.sim.faults.clear();
      return;
    case 'slow-rest':
      t.sim.faults.setRestDelay(2000);
      await sleep(5000);
      t.sim.faults.setRestDelay(0);
      return;
    case 'worker-sigkill':
      await t.killAndReplaceWorker();
      return;
    case 'connection-reset':
      // Every TCP connection to ARI (REST and WebSocket) reset three times, 2 s apart: a network blip.
      for (let i = 0; i < 3; i++) {
        t.sim.faults.resetConnections();
        if (i < 2) await sleep(2000);
      }
      return;
    case 'asterisk-restart':
      // `core restart now` with calls live: the real sequence (500 Allocation failed, 503, resets, 404, not booted).
      await t.sim.restart();
      return;
    case 'trunk-outage':
      // The trunk refuses every originate (500 Allocation failed) for 2 s, then comes back by itself: the breaker
      // opens, probes, and closes on its own (a longer outage pauses the campaign: test/faults/dead-trunk).
      t.sim.faults.trunkDown('SIP/', { mode: 'refuse' });
      await sleep(2000);
      t.sim.faults.trunkUp();
      return;
    default: {
      const never: never = fault;
      throw new Error(`unknown fault ${String(never)}`);
    }
  }
}
