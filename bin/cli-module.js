// Which code a bin runs. Installed from npm, or deployed with `npm run build` and `npm prune --omit=dev`: the
// compiled dist/. In a checkout with its devDependencies (src/ beside bin/ and tsx installed): the TypeScript source
// through tsx, so a developer never runs a stale dist/.
import { existsSync } from 'node:fs';

/** Imports src/cli/<name>.ts through tsx when it can, else dist/src/cli/<name>.js. */
export async function cliModule(name) {
  const source = new URL(`../src/cli/${name}.ts`, import.meta.url);
  if (existsSync(source)) {
    const tsx = await import('tsx/esm/api').catch(() => undefined);
    if (tsx) {
      tsx.register();
      return import(source.href);
    }
  }
  const compiled = new URL(`../dist/src/cli/${name}.js`, import.meta.url);
  if (!existsSync(compiled)) {
    process.stderr.write('ari-dialer: dist/ is missing: run `npm run build` (or `npm ci` with devDependencies to run the source)\n');
    process.exit(3);
  }
  return import(compiled.href);
}
