import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A file shipped with the package (e.g. `examples/sample-numbers.csv`), found from the package root: this module runs
 * from `src/` in a checkout and from `dist/src/` when installed, so a fixed `../..` would be right in only one of them.
 */
export function packageFile(relative: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'ari-dialer') {
      return join(dir, relative);
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`ari-dialer: cannot find the package root above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}
