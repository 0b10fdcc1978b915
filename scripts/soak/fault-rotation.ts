import type { AriSim } from '../../src/sim/index.js';

/** What the soak can break, in the order it breaks them. */
export const FAULTS = ['socket-drop', 'rest-5xx-burst', 'slow-rest', 'worker-sigkill'] as const;
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
    default: {
      const never: never = fault;
      throw new Error(`unknown fault ${String(never)}`);
    }
  }
}
