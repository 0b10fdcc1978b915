import type { Semaphore } from '../../pacing/semaphore.js';
import { GO, type Gate } from '../gate.js';

/** This worker's cap on channels in flight on its Asterisk: waits for a permit, held until the attempt leaves. */
export const channelCapGate =
  (deps: { cap: Semaphore }): Gate =>
  async (a) => {
    a.onExit(await deps.cap.acquire());
    return GO;
  };
