import { AriClient } from '../../src/ari/client.js';
import { AriEventStream } from '../../src/ari/event-stream.js';
import { AriSim, type AriSimOptions } from '../../src/sim/index.js';

/** The simulator user the engine's tests connect as. */
export const ENGINE_CREDS = { user: 'dialer', password: 'dialerpass' } as const;

/** What runCall needs, against a simulator of the test's own: its client and its event socket on one app. */
export interface EngineRig {
  sim: AriSim;
  ari: AriClient;
  events: AriEventStream;
  /** Closes the socket and the client, then stops the simulator. */
  close(): Promise<void>;
}

/** Starts a simulator (user ENGINE_CREDS, then `sim`), an AriClient and an AriEventStream on `app`, connected. */
export async function startEngineRig(app: string, sim: AriSimOptions = {}): Promise<EngineRig> {
  const s = await AriSim.start({ users: { [ENGINE_CREDS.user]: ENGINE_CREDS.password }, ...sim });
  const ari = new AriClient({ url: s.url, ...ENGINE_CREDS });
  const events = new AriEventStream({ url: s.url, ...ENGINE_CREDS, app });
  await events.start();
  return {
    sim: s,
    ari,
    events,
    close: async () => {
      await events.close();
      await ari.close();
      await s.stop();
    },
  };
}
