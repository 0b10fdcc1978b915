/**
 * `npm run build` (and `prepack`): what the npm package ships. A clean dist/ from tsconfig.build.json (src/ and jobs/
 * as JavaScript with .d.ts), plus the dashboard's static files, which tsc does not copy and server.ts looks for next
 * to itself (dist/src/dashboard/static).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const dist = join(REPO_ROOT, 'dist');
rmSync(dist, { recursive: true, force: true }); // no file of an older layout may ship
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', join(REPO_ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
cpSync(join(REPO_ROOT, 'src/dashboard/static'), join(dist, 'src/dashboard/static'), { recursive: true });
// stderr: `npm pack --json` prints its JSON on stdout, where a prepack line would break it.
process.stderr.write(`built ${dist}\n`);
