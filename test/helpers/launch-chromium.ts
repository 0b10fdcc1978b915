import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_MISSING, findChromium } from './find-chromium.js';

/** Headless, and quiet offline: no background fetches, updates, sync or QUIC from the test machine. */
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/**
 * The installed Chromium (see findChromium), launched for a browser test; `extraArgs` adds flags such as
 * --host-resolver-rules. A missing Chromium fails (never skips): a green run must mean a browser really ran.
 */
export async function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  const executablePath = findChromium();
  if (executablePath === undefined) throw new Error(CHROMIUM_MISSING);
  return chromium.launch({ executablePath, args: [...ARGS, ...extraArgs] });
}
