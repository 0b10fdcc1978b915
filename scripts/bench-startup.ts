/**
 * Start-up of the package as a user gets it: `npm pack` (which builds dist/), install the tarball into an empty
 * folder, check what it holds, import it from a plain .mjs file, then time `dial --help` and `ari-dialer --help`
 * through the installed bin links (median of N runs, `node -e 0` alongside as the floor), and the same from source
 * through tsx for comparison.
 *
 *   npx tsx scripts/bench-startup.ts [--runs 10] [--json]      (also part of `npm run bench`)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: flags } = parseArgs({ options: { runs: { type: 'string', default: '10' }, json: { type: 'boolean' } } });
const runs = Number(flags.runs);
const say = (s: string) => {
  if (flags.json !== true) process.stdout.write(`${s}\n`);
};

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return r.stdout;
}

/** Median wall time of `runs` runs (after one warm-up), in ms. */
function time(cmd: string, args: string[], cwd: string): number {
  run(cmd, args, cwd);
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    run(cmd, args, cwd);
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return Math.round(ms[Math.floor(ms.length / 2)]!);
}

const dir = mkdtempSync(join(tmpdir(), 'ari-dialer-startup-'));
try {
  say('packing (prepack builds dist/) and installing the tarball into an empty folder...');
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', dir], ROOT)) as { filename: string; files: { path: string }[] }[];
  const files = packed[0]!.files.map((f) => f.path);
  const problems = [
    ...files.filter((f) => /^test\/|\.test\.|^src\/|^scripts\/|^vendor\//.test(f)).map((f) => `ships ${f}`),
    ...['dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/dashboard/static/index.html', 'examples/sample-numbers.csv']
      .filter((f) => !files.includes(f))
      .map((f) => `lacks ${f}`),
  ];
  const app = join(dir, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'startup-bench', private: true, type: 'module' }));
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', join(dir, packed[0]!.filename)], app);
  // A plain JavaScript program using the library: no TypeScript, no loader.
  writeFileSync(
    join(app, 'use-library.mjs'),
    "import { runCall, AriClient } from 'ari-dialer';\nif (typeof runCall !== 'function' || typeof AriClient !== 'function') process.exit(1);\n",
  );
  run(process.execPath, ['use-library.mjs'], app);

  const bin = (name: string) => join(app, 'node_modules/.bin', name);
  const figures = {
    pack_files: files.length,
    pack_problems: problems,
    mjs_import: 'ok',
    node_floor_ms: time(process.execPath, ['-e', '0'], app),
    dial_help_ms: time(bin('dial'), ['--help'], app),
    ari_dialer_help_ms: time(bin('ari-dialer'), ['--help'], app),
    dial_help_from_source_ms: time(process.execPath, ['bin/dial.js', '--help'], ROOT),
    ari_dialer_help_from_source_ms: time(process.execPath, ['bin/ari-dialer.js', '--help'], ROOT),
  };
  say(
    `  npm pack: ${figures.pack_files} files${problems.length ? `, PROBLEMS: ${problems.join('; ')}` : ' (no tests or sources; dist/src/index.js + .d.ts, dashboard static files)'}`,
  );
  say("  plain .mjs: import { runCall, AriClient } from 'ari-dialer'  ok");
  say(`  median of ${runs} runs:`);
  say(`    node -e 0 (the floor)               ${figures.node_floor_ms} ms`);
  say(`    dial --help (installed)             ${figures.dial_help_ms} ms   (target < 300 ms)`);
  say(`    ari-dialer --help (installed)       ${figures.ari_dialer_help_ms} ms   (target < 500 ms)`);
  say(`    dial --help (source, tsx)           ${figures.dial_help_from_source_ms} ms`);
  say(`    ari-dialer --help (source, tsx)     ${figures.ari_dialer_help_from_source_ms} ms`);
  if (flags.json === true) process.stdout.write(`${JSON.stringify(figures)}\n`);
  if (problems.length > 0) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
