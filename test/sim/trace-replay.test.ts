import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { AriSim } from '../../src/sim/index.js';
import { loadTrace, replayTrace } from './trace-replayer.js';

const TRACES = fileURLToPath(new URL('./traces/', import.meta.url));
const files = readdirSync(TRACES).filter((f) => f.endsWith('.json'));

describe('replaying the Asterisk 20 traces against the simulator', () => {
  let sim: AriSim | undefined;
  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
  });

  it('has the recorded traces to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(14);
  });

  // bad_credentials is replayed too (it is only statuses and bodies); auth.test.ts checks the rest of auth.
  it.each(files)('%s', async (file) => {
    // The lab user of the traces; 0.1 keeps the 5 s no-answer trace at 500 ms yet leaves the dialplan's 500 ms
    // and 1 s waits (50 and 100 ms) far enough apart to keep their order on a busy machine.
    sim = await AriSim.start({ users: { dialer: 'dialerpass' }, timeScale: 0.1 });
    const problems = await replayTrace(loadTrace(`${TRACES}${file}`), sim);
    expect(problems).toEqual([]);
  });

  it('reports a trace the simulator does not match (the comparison can fail)', async () => {
    sim = await AriSim.start({ users: { dialer: 'dialerpass' }, timeScale: 0.05 });
    const entries = loadTrace(`${TRACES}busy.json`);
    const destroyed = entries.filter((e) => e.dir === 'ws' && e.data.type === 'ChannelDestroyed');
    const last = destroyed[destroyed.length - 1]!.data as unknown as { cause: number };
    last.cause = 21;
    const problems = await replayTrace(entries, sim);
    expect(problems.join('\n')).toMatch(/peer #\d+ ChannelDestroyed: cause=17 \(trace 21\)/);
  });
});
