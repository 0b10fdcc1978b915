/**
 * Where the browser tests find Chromium: `CHROMIUM_PATH`, then `chromium`, `chromium-browser`, `google-chrome` on
 * PATH, then the usual install places. `.ci/run` asks the same question (`tsx test/helpers/find-chromium.ts` prints
 * the path, or exits 1) before installing Debian's chromium.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const ON_PATH = ['chromium', 'chromium-browser', 'google-chrome'];
const USUAL_PLACES = ['/usr/bin/chromium', '/Applications/Chromium.app/Contents/MacOS/Chromium'];

export const CHROMIUM_MISSING =
  'Chromium not found (CHROMIUM_PATH, chromium/chromium-browser/google-chrome on PATH, /usr/bin/chromium): install it ' +
  'with `apt-get install chromium` (Debian/Ubuntu) or `brew install --cask chromium` (macOS), or set CHROMIUM_PATH';

const isExecutable = (file: string): boolean => {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
};

/** The first Chromium found, or undefined. `places` is for tests. */
export function findChromium(env: NodeJS.ProcessEnv = process.env, places: readonly string[] = USUAL_PLACES): string | undefined {
  // A path the user named is the only one tried: silently taking another browser would hide their mistake.
  if (env.CHROMIUM_PATH) return isExecutable(env.CHROMIUM_PATH) ? env.CHROMIUM_PATH : undefined;
  const dirs = (env.PATH ?? '').split(delimiter).filter((d) => d !== '');
  for (const name of ON_PATH) {
    for (const dir of dirs) if (isExecutable(join(dir, name))) return join(dir, name);
  }
  return places.find(isExecutable);
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  const found = findChromium();
  if (found === undefined) {
    process.stderr.write(`${CHROMIUM_MISSING}\n`);
    process.exit(1);
  }
  process.stdout.write(`${found}\n`);
}
