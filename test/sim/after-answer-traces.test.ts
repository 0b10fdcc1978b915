import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { AriSim } from '../../src/sim/index.js';
import { loadTrace, replayTrace } from './trace-replayer.js';

const TRACES = fileURLToPath(new URL('./traces/after-answer/', import.meta.url));
const files = readdirSync(TRACES).filter((f) => f.endsWith('.json'));

describe('replaying the after-answer traces (keys, variables, playbacks, talk detection) against the simulator', () => {
  let sim: AriSim | undefined;
  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
  });

  it('has the recorded traces to replay', () => {
    expect(files.length).toBe(6);
  });

  it.each(files)('%s', async (file) => {
    // Slow enough that the requests the trace sends before the callee's next step (500 ms after the answer) reach
    // the simulator first on a loaded machine; the 20 s talk-detection trace (amdcallee) still takes 5 s.
    const timeScale = file.startsWith('talk_detect') ? 0.25 : 0.5;
    sim = await AriSim.start({ users: { dialer: 'dialerpass' }, timeScale });
    const problems = await replayTrace(loadTrace(`${TRACES}${file}`), sim, { timeoutMs: 15_000 });
    expect(problems).toEqual([]);
  });
});
